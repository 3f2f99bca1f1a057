"""Forms of the block-list pages (the parents' forms are in forms.py)."""

from __future__ import annotations

import ipaddress
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from cop.core import request_size
from cop.core.models import Organisation, OrganisationKind
from cop.core.visible import check_link, check_name
from cop.filter.categories import ILLEGAL
from cop.filter.models import FilterList, LocalRecord
from cop.filter.names import BadName, normalise

MAX_UPLOAD = 256 * 1024 * 1024
# The list page and the API take list files far larger than the platform's other forms.
LIST_UPLOAD_VIEWS = ("filter:list", "api-v1:filter_list_upload")
request_size.allow_up_to(lambda: MAX_UPLOAD + request_size.FORM_OVERHEAD_BYTES, *LIST_UPLOAD_VIEWS)
MAX_REFRESH_HOURS = 24 * 365


class FilterListForm(forms.ModelForm[FilterList]):
    url = forms.URLField(
        label=_("address to refresh from"),
        required=False,
        assume_scheme="https",
        max_length=500,
        validators=[check_link],
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
        self.fields["name"].validators.append(check_name)
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
        elif (data.get("refresh_hours") or 0) > MAX_REFRESH_HOURS:
            self.add_error("refresh_hours", _("Refresh at least once a year (8760 hours)."))
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


class LocalRecordForm(forms.ModelForm[LocalRecord]):
    """A name the resolver answers itself; the value must suit the type."""

    class Meta:
        model = LocalRecord
        fields = ["name", "type", "value", "ttl"]

    def clean_name(self) -> str:
        try:
            return normalise(self.cleaned_data["name"])
        except BadName as problem:
            raise forms.ValidationError(
                _("Not a name the filter can use: %(problem)s.") % {"problem": problem}
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("type"), (data.get("value") or "").strip()
        if not kind or not value:
            return data
        try:
            if kind == LocalRecord.Type.A:
                value = str(ipaddress.IPv4Address(value))
            elif kind == LocalRecord.Type.AAAA:
                value = str(ipaddress.IPv6Address(value))
            elif kind == LocalRecord.Type.CNAME:
                value = normalise(value)
            elif not value.isprintable() or '"' in value or "\\" in value:
                raise ValueError
        except (ValueError, BadName):
            self.add_error("value", _("This value does not suit a record of type %(type)s.") % {"type": kind})
            return data
        data["value"] = value
        others = LocalRecord.objects.filter(name=data.get("name", ""))
        if kind == LocalRecord.Type.CNAME and others.exists():
            self.add_error("type", _("A name with an alias (CNAME) can have no other record."))
        elif others.filter(type=LocalRecord.Type.CNAME).exists():
            self.add_error("type", _("This name is an alias (CNAME) already; it can have no other record."))
        return data
