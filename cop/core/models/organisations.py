"""People, the organisations they act for, and the roles they hold there."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cop.core.models.countries import Country
from cop.core.visible import check_link, check_name


class User(AbstractUser):
    """A person with an account. What they may do comes from their memberships."""

    # The address this person proved they receive mail at, by following a link sent to it
    # (cop/core/confirmation.py), in lower case. It counts only while it is still `email`.
    # Password reset mails and family invitations need it: an address typed but never
    # confirmed may be someone else's. One account at most holds a confirmed address.
    confirmed_email = models.EmailField(_("confirmed e-mail address"), blank=True, default="")

    class Meta(AbstractUser.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["confirmed_email"],
                condition=~models.Q(confirmed_email=""),
                name="core_user_unique_confirmed_email",
            ),
        ]

    @property
    def has_confirmed_email(self) -> bool:
        return bool(self.confirmed_email) and self.confirmed_email == normalise_email(self.email)


def normalise_email(address: str) -> str:
    """The form in which addresses are compared: trimmed, in lower case."""
    return address.strip().lower()


class OrganisationKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry")
    REGULATOR = "regulator", _("Regulator")
    HOTLINE = "hotline", _("Hotline")
    HELPLINE = "helpline", _("Helpline")
    LAW_ENFORCEMENT = "law-enforcement", _("Law enforcement")
    COMPANY = "company", _("Company")
    NGO = "ngo", _("Non-governmental organisation")
    SECRETARIAT = "secretariat", _("COP secretariat")


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")
    FOCAL_POINT = "focal-point", _("National focal point")
    HOTLINE_ANALYST = "hotline-analyst", _("Hotline analyst")
    HELPLINE_COUNSELLOR = "helpline-counsellor", _("Helpline counsellor")
    INDUSTRY_MEMBER = "industry-member", _("Industry member")
    PARTNER = "partner", _("Partner")


# Which kinds of organisation a role can be held in. A role outside this table
# would give powers that the organisation itself does not have.
ROLE_ORGANISATION_KINDS: dict[str, set[str]] = {
    Role.SECRETARIAT: {OrganisationKind.SECRETARIAT},
    Role.FOCAL_POINT: {OrganisationKind.MINISTRY, OrganisationKind.REGULATOR},
    Role.HOTLINE_ANALYST: {OrganisationKind.HOTLINE},
    Role.HELPLINE_COUNSELLOR: {OrganisationKind.HELPLINE},
    Role.INDUSTRY_MEMBER: {OrganisationKind.COMPANY},
    Role.PARTNER: {
        OrganisationKind.NGO,
        OrganisationKind.COMPANY,
        OrganisationKind.LAW_ENFORCEMENT,
        OrganisationKind.HOTLINE,
        OrganisationKind.HELPLINE,
        OrganisationKind.MINISTRY,
        OrganisationKind.REGULATOR,
    },
}


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    # Empty for international organisations.
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
    )
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="unique_organisation_name"),
            # NULLs are distinct in a unique constraint: without this, an organisation of no country
            # could be created twice under the same name.
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(country__isnull=True),
                name="unique_organisation_name_without_country",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_country(self) -> str | None:
        return self.country_id

    def clean(self) -> None:
        # Here rather than in a form, so the pages, the API and the commands all refuse them.
        errors: dict[str, ValidationError] = {}
        for name, check in (("name", check_name), ("website", check_link)):
            try:
                check(getattr(self, name))
            except ValidationError as error:
                errors[name] = error
        if errors:
            raise ValidationError(errors)
        national = {OrganisationKind.MINISTRY, OrganisationKind.REGULATOR}
        if self.kind in national and self.country_id is None:
            raise ValidationError({"country": _("A ministry or regulator belongs to a country.")})
        if self.kind == OrganisationKind.SECRETARIAT and self.country_id is not None:
            raise ValidationError({"country": _("The COP secretariat is international.")})


class Membership(models.Model):
    """A role that a user holds in an organisation, scoped to its country."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"

    def audit_country(self) -> str | None:
        return self.organisation.country_id

    def clean(self) -> None:
        allowed = ROLE_ORGANISATION_KINDS.get(self.role, set())
        if self.organisation.kind not in allowed:
            raise ValidationError(
                _("The role %(role)s cannot be held in an organisation of kind %(kind)s.")
                % {
                    "role": self.get_role_display(),
                    "kind": self.organisation.get_kind_display(),
                }
            )
        if self.role == Role.FOCAL_POINT and self.organisation.country_id is None:
            raise ValidationError(_("A national focal point acts for one country."))
