"""Forms of the block-list pages (the parents' forms are in forms.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cop.core.models import Organisation, OrganisationKind
from cop.filter.categories import ILLEGAL
from cop.filter.models import FilterList

MAX_UPLOAD = 256 * 1024 * 1024


class FilterListForm(forms.ModelForm[FilterList]):
    url = forms.URLField(
        label=_("address to refresh from"), required=False, assume_scheme="https", max_length=500
    )

    class Meta:
        model = FilterList
        fields = ["name", "category", "source", "url", "refresh_hours", "maintainer", "enabled"]
        labels = {"maintainer": _("Maintained by (the national hotline, for the illegal-content list)")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["maintainer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(kind=OrganisationKind.HOTLINE)
        self.fields["refresh_hours"].widget.attrs["min"] = 1

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        category, maintainer = data.get("category"), data.get("maintainer")
        if category == ILLEGAL and maintainer is None:
            self.add_error("maintainer", _("The illegal-content list needs the hotline that maintains it."))
        if category != ILLEGAL and maintainer is not None:
            self.add_error("maintainer", _("Only the illegal-content list is maintained by a hotline."))
        if data.get("refresh_hours") == 0:
            self.add_error("refresh_hours", _("Refresh at least every hour, or leave the address empty."))
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("List file"), help_text=_("A hosts file, a plain list of names, or an adblock list.")
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 256 MB."))
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload
