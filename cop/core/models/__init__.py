from cop.core.models.audit import AuditEvent
from cop.core.models.countries import Country, DevelopmentLevel, Region, UNStatus
from cop.core.models.lockouts import LoginLockout
from cop.core.models.notifications import NotificationSettings
from cop.core.models.organisations import (
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
    normalise_email,
)
from cop.core.models.tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Country",
    "DevelopmentLevel",
    "LoginLockout",
    "Membership",
    "NotificationSettings",
    "Organisation",
    "OrganisationKind",
    "Region",
    "Role",
    "UNStatus",
    "User",
    "normalise_email",
]
