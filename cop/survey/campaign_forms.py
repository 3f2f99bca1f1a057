"""The secretariat's forms for campaigns: open one, move its deadline, remind countries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cop.core.collation import sort_by_name
from cop.core.models import Country
from cop.core.visible import check_name
from cop.survey.campaigns import MAX_YEAR, MIN_YEAR, NAME_MAX
from cop.survey.dashboard import version_title
from cop.survey.models import QuestionnaireVersion


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        # The browser's date picker reads and writes ISO dates whatever the page's language.
        super().__init__(format="%Y-%m-%d", **kwargs)


def _version_label(version: QuestionnaireVersion) -> str:
    title, _language = version_title(version)
    return f"{title} · {version.version}"


class OpenCampaignForm(forms.Form):
    version = forms.ModelChoiceField(
        label=_("Questionnaire version"), queryset=QuestionnaireVersion.objects.none(), empty_label=None
    )
    name = forms.CharField(
        label=_("Name of the campaign"),
        max_length=NAME_MAX,
        validators=[check_name],
        help_text=_("For example: COP national survey 2027. Each campaign has its own name."),
    )
    year = forms.IntegerField(label=_("Year the answers describe"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    deadline = forms.DateField(label=_("Deadline"), widget=DateInput(), input_formats=["%Y-%m-%d"])
    countries = forms.MultipleChoiceField(
        label=_("Countries asked"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_(
            "Leave it empty to ask every UN Member State. Each country asked gets a draft response, "
            "pre-filled from its last approved one, and its focal points an invitation by e-mail."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        version_field = self.fields["version"]
        assert isinstance(version_field, forms.ModelChoiceField)
        version_field.queryset = QuestionnaireVersion.objects.select_related("questionnaire").order_by(
            "-imported_at", "-pk"
        )
        version_field.label_from_instance = _version_label  # type: ignore[method-assign,assignment]
        countries_field = self.fields["countries"]
        assert isinstance(countries_field, forms.MultipleChoiceField)
        countries_field.choices = sort_by_name(
            ((c.iso2, c.name) for c in Country.objects.all()), lambda choice: choice[1]
        )


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label=_("New deadline"), widget=DateInput(), input_formats=["%Y-%m-%d"])


class RemindForm(forms.Form):
    """Countries ticked in the dashboard's list; the button says whether they or all late ones."""

    countries = forms.MultipleChoiceField(required=False)

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["countries"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(code, code) for code in codes]
