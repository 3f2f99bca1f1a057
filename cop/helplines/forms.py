from __future__ import annotations

from typing import Any

from babel import Locale, UnknownLocaleError
from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cop.core.visible import check_link, check_name
from cop.guidance.validators import plain_text, web_url
from cop.helplines.models import Channel, ChannelKind, Service
from cop.helplines.numbers import InvalidNumber, check_number


class ServiceForm(forms.ModelForm[Service]):
    languages_text = forms.CharField(
        label=_("Languages spoken"),
        required=False,
        max_length=200,
        help_text=_("Language codes separated by spaces, for example: en sw fr"),
    )
    verified_today = forms.BooleanField(
        label=_("I checked these details with the service today"), required=False
    )

    class Meta:
        model = Service
        fields = ["kind", "name", "min_age", "max_age", "always_open", "hours", "is_free", "source"]
        widgets = {"is_free": forms.NullBooleanSelect()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["languages_text"].initial = " ".join(self.instance.languages)
        for name in ("name", "hours", "source"):
            self.fields[name].validators.append(plain_text)
        self.fields["name"].validators.append(check_name)

    def clean_languages_text(self) -> list[str]:
        codes: list[str] = self.cleaned_data["languages_text"].split()
        for code in codes:
            try:
                Locale.parse(code.replace("-", "_"))
            except (ValueError, UnknownLocaleError):
                raise forms.ValidationError(
                    _("“%(code)s” is not a language code.") % {"code": code}, code="language"
                ) from None
        return codes

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and low > high:
            self.add_error("max_age", _("The oldest age cannot be below the youngest."))
        return data

    def save(self, commit: bool = True) -> Service:
        service = super().save(commit=False)
        service.languages = self.cleaned_data["languages_text"]
        if self.cleaned_data.get("verified_today"):
            service.verified_on = timezone.localdate()
        if commit:
            service.save()
        return service


class ChannelForm(forms.ModelForm[Channel]):
    class Meta:
        model = Channel
        fields = ["kind", "value", "unlisted_short_code"]
        labels = {
            "kind": _("Channel"),
            "value": _("Number, address or link"),
            "unlisted_short_code": _(
                "A short number the numbering plan does not list (checked with the service)"
            ),
        }

    def __init__(self, *args: Any, country: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.country = country

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("kind"), (data.get("value") or "").strip()
        if not kind or not value:
            return data
        try:
            # A number, address or link is shown as typed: nothing in it may hide or reorder characters.
            check_link(value)
        except forms.ValidationError as error:
            self.add_error("value", error)
            return data
        if kind in (ChannelKind.PHONE, ChannelKind.SMS):
            try:
                checked = check_number(value, self.country, bool(data.get("unlisted_short_code")))
            except InvalidNumber:
                self.add_error("value", _("This is not a valid phone number or short code in this country."))
                return data
            data["value"] = checked.value
            data["unlisted_short_code"] = not checked.listed
        elif kind == ChannelKind.EMAIL:
            try:
                forms.EmailField().clean(value)
            except forms.ValidationError:
                self.add_error("value", _("Enter a valid e-mail address."))
        else:
            try:
                web_url(value)
            except forms.ValidationError:
                self.add_error("value", _("Enter a web link that starts with https:// or http://."))
        return data


ChannelFormSet = inlineformset_factory(
    Service, Channel, form=ChannelForm, extra=2, can_delete=True, min_num=1, validate_min=True
)
