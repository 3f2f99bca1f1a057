"""Atom feed of newly published library resources, in the language of its URL."""

from __future__ import annotations

import datetime

from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from cop.guidance.models import Resource
from cop.threats.models import language_code

FEED_SIZE = 50


class NewResourcesFeed(Feed[Resource, None]):
    feed_type = Atom1Feed

    def title(self) -> str:
        return _("COP Platform: new resources in the library")

    def subtitle(self) -> str:
        return _("Best practices, campaigns, training material, tools, research and national strategies.")

    def link(self) -> str:
        return reverse("guidance:library")

    def feed_url(self) -> str:
        return reverse("guidance:library-feed")

    def get_object(self, request: HttpRequest, *args: object, **kwargs: object) -> None:
        self.language = language_code()
        return None

    def items(self) -> list[Resource]:
        return list(
            Resource.objects.published()
            .prefetch_related("texts")
            .order_by("-published_at", "-pk")[:FEED_SIZE]
        )

    def item_title(self, item: Resource) -> str:
        text = item.text(self.language)
        return text.title if text else item.title

    def item_description(self, item: Resource) -> str:
        text = item.text(self.language)
        return f"{text.summary if text else ''} ({item.publisher}, {item.year})"

    def item_link(self, item: Resource) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Resource) -> datetime.datetime | None:
        return item.published_at

    def item_updateddate(self, item: Resource) -> datetime.datetime | None:
        return item.moderated_at or item.published_at

    def item_author_name(self, item: Resource) -> str:
        return item.publisher
