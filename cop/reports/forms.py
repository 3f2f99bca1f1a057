from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cop.core.collation import sort_by_name, sort_model_choices
from cop.core.models import Country, Organisation, OrganisationKind
from cop.core.visible import check_link, check_name
from cop.reports.intake import MAX_DESCRIPTION, MAX_URLS
from cop.reports.models import Assessment, ReporterAge, WhereSeen
from cop.threats.models import Classification

# The same questions, in words for each age group.
WORDING: dict[str, dict[str, Any]] = {
    "child": {
        "urls": _("Copy the link (the web address) of what you saw"),
        "urls_help": _(
            "One link per line. You can find it at the top of the page or with the app's Share button. "
            "If it happened in a chat, in a game or face to face, you can leave this empty."
        ),
        "where_seen": _("Where did you see it?"),
        "description": _("What happened? If you have no link, tell us here."),
        "risk": _("What was it about?"),
        "contact": _("If you want someone to contact you, write how (you do not have to)"),
        "share_contact_abroad": _(
            "If a hotline in another country has to help with my report, it may have my contact details too."
        ),
    },
    "adult": {
        "urls": _("Link(s) to the content"),
        "urls_help": _(
            "One web address (URL) per line, at most ten. Not needed for something seen in a chat, "
            "a game or in person."
        ),
        "where_seen": _("Where was it found?"),
        "description": _("Description (required when there is no link)"),
        "risk": _("Kind of harm"),
        "contact": _("Your contact details (optional)"),
        "share_contact_abroad": _(
            "If the report is forwarded to the hotline of another country, my contact details may go with it."
        ),
    },
}


def wording(age: str) -> dict[str, Any]:
    return WORDING["adult" if age == ReporterAge.ADULT else "child"]


class StartForm(forms.Form):
    """The first questions: age group, country, and whether someone is in danger right now."""

    age = forms.ChoiceField(label=_("How old are you?"), choices=ReporterAge.choices)
    country = forms.ModelChoiceField(
        label=_("Which country are you in?"), queryset=Country.objects.all(), to_field_name="iso2"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = sort_by_name(((c.iso2, c.name) for c in Country.objects.all()), lambda pair: pair[1])
        self.fields["country"].choices = [("", "—"), *names]  # type: ignore[attr-defined]


class ReportForm(forms.Form):
    # Where first: it decides whether a link is needed (intake.validate checks the combination).
    where_seen = forms.ChoiceField(choices=WhereSeen.choices)
    urls = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "dir": "ltr"}), required=False, max_length=MAX_URLS * 2100
    )
    risk = forms.ChoiceField(required=False)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, max_length=MAX_DESCRIPTION
    )
    # Input purposes (WCAG 1.3.5): browsers offer the reporter's own details, and phones show the
    # keyboard that fits. The server's checks stay as they were: the types only help typing.
    contact_name = forms.CharField(
        label=_("Name"),
        required=False,
        max_length=200,
        validators=[check_name],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    contact_email = forms.CharField(
        label=_("E-mail"),
        required=False,
        max_length=200,
        validators=[check_link],
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    contact_phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=200,
        validators=[check_link],
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "dir": "ltr"}),
    )
    # Default no: contact details stay with the hotline of the reporter's own country.
    share_contact_abroad = forms.BooleanField(required=False)
    # Left empty by people; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    age = forms.ChoiceField(widget=forms.HiddenInput, choices=ReporterAge.choices)
    country = forms.CharField(widget=forms.HiddenInput, max_length=2)
    danger = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, age: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        words = wording(age)
        self.fields["urls"].label = words["urls"]
        self.fields["urls"].help_text = words["urls_help"]
        self.fields["where_seen"].label = words["where_seen"]
        self.fields["description"].label = words["description"]
        self.fields["risk"].label = words["risk"]
        self.fields["share_contact_abroad"].label = words["share_contact_abroad"]
        current = Classification.objects.current()
        band = age if age != ReporterAge.ADULT else ""
        risks = list(current.risks.all()) if current else []
        self.fields["risk"].choices = [("", _("I am not sure"))] + [  # type: ignore[attr-defined]
            (r.code, (r.for_children(band).get("name") if band else None) or r.name) for r in risks
        ]

    def clean_urls(self) -> str:
        urls: str = self.cleaned_data["urls"]
        for line in urls.splitlines():
            check_link(line.strip())
        return urls


class StatusForm(forms.Form):
    receipt = forms.CharField(label=_("Receipt code"), max_length=20)
    secret = forms.CharField(
        label=_("Secret word"), max_length=40, widget=forms.PasswordInput(render_value=True)
    )


class AssessForm(forms.Form):
    assessment = forms.ChoiceField(label=_("Assessment"), choices=Assessment.choices)
    duplicate_of = forms.IntegerField(label=_("Duplicate of case number"), required=False, min_value=1)


class ActForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("takedown-notice", _("Notice and takedown to the hosting provider")),
            ("law-enforcement", _("Forward to law enforcement")),
        ],
    )
    target = forms.CharField(label=_("To whom (hosting provider or police unit)"), max_length=300)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ForwardForm(forms.Form):
    to = forms.ModelChoiceField(label=_("Hotline"), queryset=Organisation.objects.none())
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, kind: str, exclude: int | None, ask_contact_reason: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if ask_contact_reason:
            # Only when there are contact details the reporter did not agree to share abroad.
            self.fields["contact_reason"] = forms.CharField(
                label=_("Reason to give the reporter's contact details to this hotline"),
                help_text=_(
                    "The reporter did not agree to share them abroad. Leave this empty and they are not "
                    "shared; a reason you give is recorded."
                ),
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        field = self.fields["to"]
        organisations = Organisation.objects.filter(kind=kind).select_related("country")
        if exclude is not None:
            organisations = organisations.exclude(pk=exclude)
        field.queryset = organisations  # type: ignore[attr-defined]
        field.label = _("Hotline of another country") if kind == OrganisationKind.HOTLINE else _("Helpline")
        field.label_from_instance = lambda o: f"{o.name} ({o.country.name if o.country else '—'})"  # type: ignore[attr-defined]
        sort_model_choices(field, field.label_from_instance)  # type: ignore[attr-defined]
