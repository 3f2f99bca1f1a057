from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from cop.core import kept_uploads
from cop.core.archives import ArchiveRefused
from cop.core.collation import sort_model_choices
from cop.core.models import Country
from cop.core.visible import check_link, check_name
from cop.guidance import content
from cop.guidance.models import GuidelineText, ResourceAudience, ResourceType
from cop.guidance.validators import (
    DOCUMENT_TYPES,
    detect_document_type,
    max_upload_bytes,
    plain_text,
    web_url,
)
from cop.threats.models import AgeBand, Classification, Risk


class GuidelineTextForm(forms.ModelForm[GuidelineText]):
    note = forms.CharField(
        label=_("What changed"),
        max_length=300,
        required=False,
        help_text=_("A short note kept with the revision."),
    )

    class Meta:
        model = GuidelineText
        fields = ["title", "summary", "body"]
        labels = {"title": _("Title"), "summary": _("Summary"), "body": _("Text")}
        widgets = {"summary": forms.Textarea(attrs={"rows": 2}), "body": forms.Textarea(attrs={"rows": 24})}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for value in (data.get("title", ""), data.get("summary", "")):
            plain_text(value)
        problems = content.check_text_fields(data.get("title"), data.get("summary"), data.get("body", ""))
        if "contains HTML or a link; write plain Markdown (the pages add links)" in problems:
            raise forms.ValidationError(_("The text contains HTML or a link; write plain Markdown."))
        return data


def _normalised(value: str) -> str:
    return unicodedata.normalize("NFC", value).strip()


class ResourceForm(forms.Form):
    title = forms.CharField(label=_("Title of the resource"), max_length=300, validators=[plain_text])
    summary = forms.CharField(
        label=_("What it is and who it is for"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[plain_text],
        help_text=_("Two or three sentences, in the language of this page."),
    )
    publisher = forms.CharField(label=_("Publisher"), max_length=200, validators=[plain_text, check_name])
    year = forms.IntegerField(label=_("Year of publication"), min_value=1980)
    url = forms.CharField(
        label=_("Link"),
        max_length=500,
        required=False,
        validators=[web_url, check_link],
        help_text=_("A web page where the resource can be read. Give a link, a file, or both."),
    )
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("A document: PDF, Word, PowerPoint, Excel, OpenDocument or EPUB."),
    )
    # A file chosen in an earlier try that failed for another field (cop.core.kept_uploads).
    kept_file = forms.CharField(required=False, widget=forms.HiddenInput)
    type = forms.ChoiceField(label=_("Type"), choices=ResourceType.choices)
    language = forms.ChoiceField(label=_("Language of the resource"), choices=[])
    country = forms.ModelChoiceField(
        label=_("Country"),
        queryset=Country.objects.order_by("name_en"),
        required=False,
        empty_label=_("International"),
    )
    licence = forms.CharField(
        label=_("Licence"),
        max_length=120,
        validators=[plain_text],
        help_text=_("As stated by the publisher, for example CC BY 4.0; write 'not stated' if it says none."),
    )
    audiences = forms.MultipleChoiceField(
        label=_("For whom"), choices=ResourceAudience.choices, widget=forms.CheckboxSelectMultiple
    )
    age_bands = forms.MultipleChoiceField(
        label=_("Children's ages"),
        choices=AgeBand.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    risks = forms.ModelMultipleChoiceField(
        label=_("Online risks it deals with"),
        queryset=Risk.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, owner: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.owner = owner
        self.kept: kept_uploads.Kept | None = None
        self.restored: UploadedFile[bytes] | None = None
        token = str(self.data.get(self.add_prefix("kept_file"), "")) if self.is_bound else ""
        if token and owner is not None:
            self.kept = kept_uploads.describe(token, owner)
            self._announce_kept()
        if self.kept is None and self.initial.get("file_name"):
            # Changing a proposal that has a file: say which, so nobody chooses it again to be safe.
            self.fields["file"].help_text = _(
                "It has a file: %(name)s. Choose a file only to replace it."
            ) % {"name": self.initial["file_name"]}
        self.fields["language"].choices = settings.LANGUAGES  # type: ignore[attr-defined]
        self.fields["country"].label_from_instance = lambda c: c.name  # type: ignore[attr-defined]
        sort_model_choices(self.fields["country"], lambda c: c.name)
        current = Classification.objects.current()
        risk_field = self.fields["risks"]
        risk_field.queryset = current.risks.all() if current else Risk.objects.none()  # type: ignore[attr-defined]
        risk_field.label_from_instance = lambda r: r.name  # type: ignore[attr-defined]
        self.detected_type: str | None = None

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if year > datetime.date.today().year:
            raise forms.ValidationError(_("The year cannot be in the future."), code="future")
        return year

    def clean_title(self) -> str:
        return _normalised(self.cleaned_data["title"])

    def clean_summary(self) -> str:
        return _normalised(self.cleaned_data["summary"])

    def clean_publisher(self) -> str:
        return _normalised(self.cleaned_data["publisher"])

    def _announce_kept(self) -> None:
        if self.kept is not None:
            text = _("Kept from your last try: %(name)s (%(size)s). Choose a file only to replace it.") % {
                "name": self.kept.name,
                "size": filesizeformat(self.kept.size),
            }
            # The bound field copied the help text when validation made it.
            self.fields["file"].help_text = self["file"].help_text = text

    def clean_file(self) -> UploadedFile[bytes] | None:
        upload: UploadedFile[bytes] | None = self.cleaned_data.get("file")
        if not upload and self.kept is not None and self.owner is not None:
            upload = self.restored = kept_uploads.restore(self.kept.token, self.owner)
        if not upload:
            return None
        limit = max_upload_bytes()
        if upload.size is not None and upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.") % {"size": limit // (1024 * 1024)}, code="too_large"
            )
        try:
            kind = detect_document_type(upload.file) if upload.file is not None else None
        except ArchiveRefused as refused:
            raise forms.ValidationError(refused.message, code="archive") from None
        extension = (upload.name or "").rsplit(".", 1)[-1].lower()
        if kind is None or extension != kind:
            raise forms.ValidationError(
                _("This file is not a document the library accepts (%(kinds)s).")
                % {"kinds": ", ".join(k.upper() for k in DOCUMENT_TYPES)},
                code="file_type",
            )
        self.detected_type = kind
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("url") and not data.get("file") and not self.initial.get("has_file"):
            raise forms.ValidationError(_("Give a link to the resource, a file, or both."))
        return data

    def keep_upload(self) -> None:
        """After a failed validation, keep a newly chosen file that passed its own checks.

        The page then says which file is kept, and sending the form again uses it unless another
        file is chosen.
        """
        upload = getattr(self, "cleaned_data", {}).get("file")
        if self.owner is None or not upload or upload is self.restored or "file" in self.errors:
            return
        self.discard_kept()
        self.kept = kept_uploads.keep(upload, self.owner)
        # The hidden field shows what the form was given; give it the token.
        data: dict[str, Any] | QueryDict = (
            self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
        )
        data[self.add_prefix("kept_file")] = self.kept.token
        self.data = data
        self._announce_kept()

    def discard_kept(self) -> None:
        """Remove the kept file: it was saved with the resource, or replaced by another."""
        if self.restored is not None:
            self.restored.close()
        if self.kept is not None and self.owner is not None:
            kept_uploads.discard(self.kept.token, self.owner)
        self.kept = None


class ModerationForm(forms.Form):
    DECISIONS = [
        ("approve", _("Approve and publish")),
        ("changes", _("Ask for changes")),
        ("reject", _("Reject")),
    ]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Message to the submitter"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[plain_text],
        help_text=_("Required when asking for changes or rejecting: say what and why."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") in ("changes", "reject") and not data.get("note", "").strip():
            self.add_error("note", _("Say what should change, or why the resource is rejected."))
        return data
