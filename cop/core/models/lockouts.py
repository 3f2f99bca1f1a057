"""How often one account has been locked out from one client address, for the growing cool-off."""

from __future__ import annotations

from django.db import models


class LoginLockout(models.Model):
    """The lock-outs of one account name from one address (an IPv6 /64 counts as one address).

    django-axes keeps the failed sign-ins themselves and forgets them when a lock ends; this row
    remembers that there was a lock, so the next one of the same account and address lasts longer
    (cop/core/lockout.py). It is forgotten a day after its last lock ends, at the next successful
    sign-in from that address, and with a password reset of the account.
    """

    username = models.CharField(max_length=255)
    ip_address = models.GenericIPAddressField(null=True)
    lockouts = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "ip_address"], name="core_lockout_account_address")
        ]

    def __str__(self) -> str:
        return f"{self.username} from {self.ip_address}: {self.lockouts} lock-out(s)"
