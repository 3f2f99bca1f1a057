"""API tokens: an organisation's credentials for machine access to the API."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.db import models
from django.utils import timezone

from cop.core.models.organisations import Membership, Organisation, Role, User

TOKEN_PREFIX = "cop"  # noqa: S105 - a label, not a secret


def digest(secret: str) -> str:
    # The secret has 256 bits of entropy, so a fast hash is enough: there is
    # nothing to brute-force that a slow hash would protect.
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token acting with one role of one organisation.

    Only a SHA-256 digest of the token is stored; the token itself is shown
    once, when it is created.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="tokens")
    role = models.CharField(max_length=30, choices=Role.choices)
    name = models.CharField(max_length=100)
    key_id = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    def audit_country(self) -> str | None:
        return self.organisation.country_id

    @classmethod
    def issue(
        cls, *, organisation: Organisation, role: str, name: str, created_by: User
    ) -> tuple[ApiToken, str]:
        """Create a token and return it with its plain text, which is not kept."""
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        plain = f"{TOKEN_PREFIX}_{key_id}_{secret}"
        token = cls.objects.create(
            organisation=organisation,
            role=role,
            name=name,
            key_id=key_id,
            digest=digest(plain),
            created_by=created_by,
        )
        return token, plain

    @classmethod
    def authenticate(cls, plain: str) -> ApiToken | None:
        parts = plain.split("_", 2)
        if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
            return None
        token = cls.objects.select_related("organisation", "created_by").filter(key_id=parts[1]).first()
        if token is None or not hmac.compare_digest(token.digest, digest(plain)):
            return None
        if not token.is_active():
            return None
        return token

    def is_active(self) -> bool:
        # A token is only as good as its creator's standing: it stops working
        # when the creator leaves the organisation or loses the role.
        if self.revoked_at is not None or not self.created_by.is_active:
            return False
        return Membership.objects.filter(
            user=self.created_by, organisation=self.organisation, role=self.role
        ).exists()

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
