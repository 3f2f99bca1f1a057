from __future__ import annotations

import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from cop.alerts import destinations
from cop.alerts.models import ADVICE_FIELDS, TEXT_FIELDS, Severity
from cop.alerts.permissions import WRITE
from cop.core import permissions
from cop.core.collation import sort_by_name
from cop.core.models import Country, Organisation
from cop.core.visible import check_link, check_name
from cop.guidance.validators import plain_text
from cop.threats.models import Classification, Risk

ADVICE = [name for name, _label in ADVICE_FIELDS]


def country_choices(codes: set[str] | None = None) -> list[tuple[str, str]]:
    """Countries (all, or these), by their name in the active language."""
    countries = Country.objects.all() if codes is None else Country.objects.filter(iso2__in=codes)
    return sort_by_name(((c.iso2, c.name) for c in countries), lambda choice: choice[1])


def current_risks() -> list[Risk]:
    current = Classification.objects.current()
    return list(current.risks.all()) if current else []


def _textarea(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class AlertTextForm(forms.Form):
    """An alert's text in one language."""

    title = forms.CharField(label=_("Title"), max_length=200, validators=[plain_text])
    description = forms.CharField(
        label=_("What it is"),
        max_length=4000,
        widget=_textarea(5),
        validators=[plain_text],
        help_text=_("What is happening, where it is seen and how to recognise it."),
    )
    at_risk = forms.CharField(
        label=_("Who is at risk"),
        max_length=2000,
        widget=_textarea(3),
        validators=[plain_text],
        help_text=_("Which children, of which ages, on which services."),
    )
    advice_children = forms.CharField(
        label=_("Advice for children and young people"),
        max_length=4000,
        required=False,
        widget=_textarea(4),
        validators=[plain_text],
    )
    advice_parents = forms.CharField(
        label=_("Advice for parents and educators"),
        max_length=4000,
        required=False,
        widget=_textarea(4),
        validators=[plain_text],
    )
    advice_industry = forms.CharField(
        label=_("Advice for industry"),
        max_length=4000,
        required=False,
        widget=_textarea(4),
        validators=[plain_text],
    )
    advice_policy = forms.CharField(
        label=_("Advice for policy makers"),
        max_length=4000,
        required=False,
        widget=_textarea(4),
        validators=[plain_text],
    )

    def __init__(self, *args: Any, text_language: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if text_language:
            # Screen readers and spell checkers then use the language of the text, not of the page.
            for name in TEXT_FIELDS:
                self.fields[name].widget.attrs.update({"lang": text_language, "dir": "auto"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in TEXT_FIELDS:
            if isinstance(data.get(name), str):
                data[name] = unicodedata.normalize("NFC", data[name]).strip()
        if not self.errors and not any(data.get(name) for name in ADVICE):
            raise forms.ValidationError(_("Give advice for at least one audience."), code="no_advice")
        return data

    def texts(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in TEXT_FIELDS}


class AlertForm(AlertTextForm):
    """An alert's facts and its text in the language it is written in.

    The countries on offer are those where the actor may write alerts;
    only someone who may write them anywhere may leave them empty (worldwide).
    """

    language = forms.ChoiceField(label=_("Language it is written in"), choices=settings.LANGUAGES)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    countries = forms.MultipleChoiceField(
        label=_("Countries concerned"), required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    risks = forms.ModelMultipleChoiceField(
        label=_("Online risks"),
        queryset=Risk.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("From the classification of online risks."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Published by"), queryset=Organisation.objects.none(), empty_label=None
    )

    field_order = ["language", *TEXT_FIELDS, "severity", "countries", "risks", "organisation"]

    def __init__(
        self,
        *args: Any,
        actor: permissions.Actor,
        organisations: list[Organisation],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        reach = permissions.reach(actor, WRITE)
        countries = self.fields["countries"]
        assert isinstance(countries, forms.MultipleChoiceField)
        if reach.everywhere:
            countries.choices = country_choices()
            countries.help_text = _(
                "Hold Ctrl (Cmd on a Mac) to choose several. Choose none for a worldwide alert."
            )
        else:
            countries.choices = country_choices(set(reach.countries))
            countries.required = True
            countries.help_text = _("The countries where you may publish alerts.")
        risks = self.fields["risks"]
        assert isinstance(risks, forms.ModelMultipleChoiceField)
        risks.queryset = Risk.objects.filter(pk__in=[r.pk for r in current_risks()]).order_by("position")
        risks.label_from_instance = lambda r: r.name  # type: ignore[method-assign,assignment]
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        # Written in one language, for one organisation, from the start.
        if editing:
            del self.fields["language"]
            del self.fields["organisation"]
        elif len(organisations) == 1:
            # Nothing to choose: the view uses the one organisation.
            del self.fields["organisation"]


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        max_length=2000,
        widget=_textarea(3),
        validators=[plain_text],
        help_text=_(
            "Shown with the alert and sent to webhooks; for example: the challenge turned out to be a hoax."
        ),
    )


class AlertFilterForm(forms.Form):
    """The filters of the public list; every value must be one on offer."""

    country = forms.ChoiceField(label=_("Country"), required=False)
    risk = forms.ChoiceField(label=_("Online risk"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *country_choices()]  # type: ignore[attr-defined]
        self.fields["risk"].choices = [("", _("All risks")), *((r.code, r.name) for r in current_risks())]  # type: ignore[attr-defined]
        self.fields["language"].choices = [("", _("All languages")), *settings.LANGUAGES]  # type: ignore[attr-defined]


class SubscriptionForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        validators=[plain_text, check_name],
        help_text=_("To tell your webhooks apart, for example: case management system."),
    )
    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        validators=[check_link],
        help_text=_("Where the platform sends alerts, by HTTP POST. It must start with https://."),
    )
    countries = forms.MultipleChoiceField(
        label=_("Only alerts concerning these countries"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Worldwide alerts are always sent. Choose none to receive alerts for every country."),
    )
    risks = forms.MultipleChoiceField(
        label=_("Only alerts about these risks"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose none to receive alerts about every risk."),
    )
    organisation = forms.ModelChoiceField(
        label=_("For the organisation"), queryset=Organisation.objects.none(), empty_label=None
    )

    def __init__(
        self, *args: Any, organisations: list[Organisation], editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = country_choices()  # type: ignore[attr-defined]
        self.fields["risks"].choices = [(r.code, r.name) for r in current_risks()]  # type: ignore[attr-defined]
        organisation = self.fields["organisation"]
        assert isinstance(organisation, forms.ModelChoiceField)
        organisation.queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if editing:
            del self.fields["organisation"]
        elif len(organisations) == 1:
            # Nothing to choose: the view uses the one organisation.
            del self.fields["organisation"]

    def clean_url(self) -> str:
        url: str = self.cleaned_data["url"]
        destinations.check_url(url)
        return url
