"""Atom feeds of alerts, one per language and one per language and country.

An entry appears in the feed of a language when the alert can be read in it.
A country's feed holds the alerts that name that country and the worldwide
ones. A withdrawn alert stays in the feeds, marked withdrawn with its reason,
so that a reader who saw it learns that it no longer holds.
"""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from cop.alerts.models import Alert, AlertText, Status
from cop.core.models import Country
from cop.threats.models import language_code

FEED_SIZE = 50


class AlertFeed(Feed[Alert, Country | None]):
    feed_type = Atom1Feed

    # The language comes from the URL's prefix and is read per call: one
    # instance of this class serves every request, in every thread.

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> Country | None:
        iso2 = kwargs.get("iso2")
        if iso2 is None:
            return None
        country = Country.objects.filter(iso2=str(iso2).upper()).first()
        if country is None:
            raise Http404("no such country")
        return country

    def title(self, obj: Country | None) -> str:
        if obj is not None:
            return _("COP Platform: alerts concerning %(country)s") % {"country": obj.name}
        return _("COP Platform: alerts on online risks to children")

    def subtitle(self, obj: Country | None) -> str:
        return _(
            "Advisories on emerging online threats to children from hotlines, helplines and the COP "
            "secretariat: what is happening, who is at risk and what to do."
        )

    def link(self, obj: Country | None) -> str:
        url = reverse("alerts:list")
        return f"{url}?country={obj.iso2}" if obj is not None else url

    def feed_url(self, obj: Country | None) -> str:
        return reverse("alerts:country-feed", args=[obj.iso2]) if obj is not None else reverse("alerts:feed")

    def items(self, obj: Country | None) -> list[Alert]:
        alerts = Alert.objects.filter(status__in=[Status.PUBLISHED, Status.WITHDRAWN]).in_language(
            language_code()
        )
        if obj is not None:
            alerts = alerts.concerning(obj.iso2)
        alerts = alerts.select_related("organisation").prefetch_related("texts", "risks")
        return list(alerts.order_by("-published_at", "-pk")[:FEED_SIZE])

    def _text(self, item: Alert) -> AlertText:
        text = item.text(language_code())
        assert text is not None, "items() holds only alerts with a text in the feed's language"
        return text

    def item_title(self, item: Alert) -> str:
        title = self._text(item).title
        if item.status == Status.WITHDRAWN:
            return _("Withdrawn: %(title)s") % {"title": title}
        return title

    def item_description(self, item: Alert) -> str:
        if item.status == Status.WITHDRAWN:
            return item.withdrawal_reason
        return self._text(item).description

    def item_link(self, item: Alert) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Alert) -> datetime.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Alert) -> datetime.datetime | None:
        return item.withdrawn_at or item.updated_at

    def item_author_name(self, item: Alert) -> str:
        return item.organisation.name

    def item_categories(self, item: Alert) -> list[str]:
        return [str(item.get_severity_display()), *(risk.name for risk in item.risks.all())]
