"""The form of the questionnaire pages: a workbook to import."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cop.survey.xlsform import MAX_WORKBOOK_BYTES


class WorkbookForm(forms.Form):
    workbook = forms.FileField(
        label=_("XLSForm workbook (.xlsx)"),
        help_text=_(
            "Sheets survey, choices and settings, a label column per language such as label::English (en). "
            "At most 5 MB. Every mistake found is listed; nothing is imported until there are none."
        ),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def clean_workbook(self) -> Any:
        upload = self.cleaned_data["workbook"]
        if upload.size > MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(_("The workbook is larger than %(size)s MB."), params={"size": 5})
        return upload
