from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import (
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
    UserCreationForm,
)
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from cop.core import mail, permissions
from cop.core.collation import sort_model_choices
from cop.core.models import Country, Organisation, User, normalise_email
from cop.core.visible import check_name


class OrganisationForm(forms.ModelForm[Organisation]):
    """Create or edit an organisation; the country list holds only where the actor may act."""

    website = forms.URLField(label=_("website"), required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Organisation
        fields = ["name", "kind", "country", "website", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args: Any, actor: permissions.Actor, permission: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        reach = permissions.reach(actor, permission)
        country_field = self.fields["country"]
        assert isinstance(country_field, forms.ModelChoiceField)
        if reach.everywhere:
            country_field.queryset = Country.objects.all()
            country_field.empty_label = _("International (no country)")
        else:
            country_field.queryset = Country.objects.filter(iso2__in=reach.countries)
            country_field.required = True
            country_field.empty_label = None
        country_field.label_from_instance = lambda c: c.name  # type: ignore[method-assign,assignment]
        sort_model_choices(country_field, lambda c: c.name)
        if self.instance.pk and not permissions.allows(
            actor,
            "core.change_organisation_kind",
            country_id=self.instance.country_id,
            organisation_id=self.instance.pk,
        ):
            # Shown, but a disabled field keeps the stored value whatever is posted.
            kind_field = self.fields["kind"]
            kind_field.disabled = True
            kind_field.help_text = _("Only the COP secretariat changes the kind of an organisation.")


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=100,
        validators=[check_name],
        help_text=_("Say what will use it, for example: nightly statistics export."),
    )
    role = forms.ChoiceField(label=_("Acts with the role"))

    def __init__(self, *args: Any, roles: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = roles


class SignUpStartForm(forms.Form):
    """The first step of signing up: only the address the link to the second step goes to."""

    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_(
            "We send a link to it: you choose your username and password there. It is not shown to anyone."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class SignUpForm(UserCreationForm[User]):
    """An account for a parent or guardian: no organisation, no role, only their own family filter.

    Reached through a sign-up link, which gives the address: pass `instance=User(email=...)`, so
    that the password validators compare the password with it too.
    """

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username",)
        labels = {"username": _("Username")}
        help_texts = {"username": _("Up to 150 letters, digits and @ . + - _ characters.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username"})
        self.fields["password1"].label = _("Password")
        self.fields["password2"].label = _("The same password again")
        plain_password_help(self, "password1", "password2")


def plain_password_help(form: forms.BaseForm, new: str, again: str) -> None:
    """The password rules as one sentence: Django's help is an HTML list, which cannot sit in the
    paragraph of help that core/form_field.html gives each field."""
    form.fields[new].help_text = " ".join(password_validation.password_validators_help_texts())
    form.fields[again].help_text = ""


class DeleteAccountForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and what is listed above are deleted for good."),
    )


class ConfirmedAddressPasswordResetForm(PasswordResetForm):
    """Django's password reset form, sending only to addresses their accounts confirmed, through the outbox.

    An address typed at sign-up or by an operator and never confirmed may be someone else's: a
    reset link sent there would hand them the account. The answer on the page stays the same.
    """

    def get_users(self, email: str) -> Any:
        address = normalise_email(email)
        for user in super().get_users(email):
            if user.confirmed_email == address and user.has_confirmed_email:
                yield user

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        # Queued, not sent inside the request (cop/core/mail.py).
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        mail.queue(to_email, subject, body, purpose="password-reset")


class ResetRequestForm(ConfirmedAddressPasswordResetForm):
    """The address to send a reset link to, named as on the sign-up form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("E-mail address")


class NewPasswordForm(SetPasswordForm):  # type: ignore[type-arg]  # not subscriptable at run time
    """The new password after a reset by e-mail."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_password_help(self, "new_password1", "new_password2")


class ChangePasswordForm(PasswordChangeForm):  # type: ignore[type-arg]
    """A signed-in person's new password, with the current one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        plain_password_help(self, "new_password1", "new_password2")


class NotificationSettingsForm(forms.Form):
    on = forms.MultipleChoiceField(
        label=_("Send me an e-mail when"), required=False, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(label=_("Language of the e-mails"), choices=settings.LANGUAGES)

    def __init__(self, *args: Any, kinds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if kinds:
            on = self.fields["on"]
            assert isinstance(on, forms.MultipleChoiceField)
            on.choices = [(kind.key, kind.label) for kind in kinds]
        else:
            del self.fields["on"]
