"""Accepting a report: validate, store it and its case in one transaction, and answer with a receipt.

A receipt is given only after the transaction has committed, so every report
that got a receipt is in the database, whatever happens to the process next.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import unicodedata
from dataclasses import asdict, dataclass, field
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cop.core.errors import Conflict, Invalid
from cop.core.models import Country
from cop.core.visible import check_link, check_name, message_of
from cop.reports import crypto
from cop.reports.models import (
    LINK_OPTIONAL,
    Case,
    Report,
    ReporterAge,
    ReportUrl,
    WhereSeen,
    new_secret,
    normalise_receipt,
)
from cop.reports.routing import competent_hotline, priority_of
from cop.threats.models import Classification, Risk

MAX_URLS = 10
MAX_URL_LENGTH = 2048
MAX_DESCRIPTION = 5000
MAX_CONTACT_FIELD = 200
_url = URLValidator(schemes=["http", "https"])


class ReportInvalid(Invalid):
    """What is wrong with a submission, by field; each message is put into words when shown."""

    default_message = _("The report is not valid; see details.")

    def __init__(self, errors: dict[str, str | Promise], codes: dict[str, str] | None = None) -> None:
        self.errors = errors
        # A machine code per field where the pages have a message of their own for it.
        self.codes = codes or {}
        super().__init__(details=[{"location": ["body", k], "message": v} for k, v in errors.items()])


class KeyReused(Conflict):
    """An idempotency key already used for a different submission. Says nothing about that one."""

    default_message = _(
        "This Idempotency-Key was already used for a different report. Use a new key for a new report."
    )


@dataclass
class Submission:
    country: str
    language: str
    reporter_age: str
    where_seen: str
    urls: list[str]
    description: str = ""
    risk: str = ""
    in_danger: bool = False
    contact: dict[str, str] = field(default_factory=dict)
    share_contact_abroad: bool = False
    idempotency_key: str = ""


@dataclass(frozen=True)
class Receipt:
    receipt: str
    secret: str
    created: bool


def refused_in_text(character: str) -> bool:
    """Control, surrogate, private-use and unassigned characters are refused in reported text; tabs
    and line breaks are not. The API schema states the same rule (reports/api.py)."""
    return unicodedata.category(character) in ("Cc", "Cs", "Co", "Cn") and character not in "\n\r\t"


def _clean_text(value: str, limit: int) -> str:
    # Checked as sent, before trimming, so that the schema's pattern and the server agree.
    if any(refused_in_text(character) for character in value):
        raise ValueError(_("contains characters that are not allowed"))
    text = unicodedata.normalize("NFC", value).strip()
    if len(text) > limit:
        raise ValueError(_("at most %(limit)s characters") % {"limit": limit})
    return text


def clean_url(raw: str) -> str:
    """A reported link, made absolute.

    ValueError if it is not a web link, ValidationError if it holds hidden characters (core/visible.py).
    """
    url = raw.strip()
    if len(url) > MAX_URL_LENGTH:
        raise ValueError(_("a link may have at most %(limit)s characters") % {"limit": MAX_URL_LENGTH})
    check_link(url)
    if "://" not in url and not url.lower().startswith(("javascript:", "data:", "vbscript:", "file:")):
        url = "http://" + url
    try:
        _url(url)
    except ValidationError:
        raise ValueError(_("only web links (http or https) can be reported")) from None
    if not urlsplit(url).hostname:
        raise ValueError(_("the link has no host"))
    return url


def validate(submission: Submission) -> tuple[Submission, Risk | None]:
    errors: dict[str, str | Promise] = {}
    if not Country.objects.filter(iso2=submission.country).exists():
        errors["country"] = _("unknown country")
    if submission.reporter_age not in ReporterAge.values:
        errors["reporter_age"] = _("unknown age group")
    if submission.where_seen not in WhereSeen.values:
        errors["where_seen"] = _("unknown place")
    codes: dict[str, str] = {}
    urls = [u for u in (u.strip() for u in submission.urls) if u]
    if len(urls) > MAX_URLS:
        errors["urls"] = _("at most %(count)s links per report") % {"count": MAX_URLS}
    else:
        try:
            urls = [clean_url(u) for u in urls]
        except ValidationError as error:
            errors["urls"], codes["urls"] = message_of(error), "invisible"
        except ValueError as error:
            errors["urls"] = str(error)
    try:
        description = _clean_text(submission.description, MAX_DESCRIPTION)
    except ValueError as error:
        errors["description"], description = str(error), ""
    if not urls and "urls" not in errors:
        if submission.where_seen not in LINK_OPTIONAL:
            errors["urls"], codes["urls"] = _("give the link (URL) of what you saw"), "link_required"
        elif not description and "description" not in errors:
            # Seen in a chat, a game or in person: without a link, the description is the report.
            errors["description"] = _("without a link, say what happened in the description")
            codes["description"] = "description_required"
    contact: dict[str, str] = {}
    for name in ("name", "email", "phone"):
        try:
            value = _clean_text(submission.contact.get(name, ""), MAX_CONTACT_FIELD)
            # A name is shown to analysts as a name; an e-mail address or phone number is an address.
            (check_name if name == "name" else check_link)(value)
        except ValidationError as error:
            errors[f"contact_{name}"], codes[f"contact_{name}"] = message_of(error), "invisible"
            continue
        except ValueError as error:
            errors[f"contact_{name}"] = str(error)
            continue
        if value:
            contact[name] = value
    if contact.get("email"):
        try:
            EmailValidator()(contact["email"])
        except ValidationError:
            errors["contact_email"] = _("not an e-mail address")
    risk = None
    if submission.risk:
        current = Classification.objects.current()
        risk = current.risks.filter(code=submission.risk).first() if current else None
        if risk is None:
            errors["risk"] = _("unknown risk")
    if len(submission.idempotency_key) > 100:
        errors["idempotency_key"] = _("at most %(limit)s characters") % {"limit": 100}
    if errors:
        raise ReportInvalid(errors, codes)
    cleaned = Submission(
        country=submission.country,
        language=submission.language,
        reporter_age=submission.reporter_age,
        where_seen=submission.where_seen,
        urls=urls,
        description=description,
        risk=submission.risk,
        in_danger=submission.in_danger,
        contact=contact,
        # Without contact details there is nothing to share.
        share_contact_abroad=bool(contact) and submission.share_contact_abroad,
        idempotency_key=submission.idempotency_key.strip(),
    )
    return cleaned, risk


def content_digest(cleaned: Submission) -> str:
    """A keyed digest of a validated submission without its key: equal for the same report only.

    Computed on the cleaned values, so the same report sent again with its JSON keys in another order
    or with extra spaces around a link is the same submission. Keyed, because it covers the contact
    details, which are otherwise stored encrypted only.
    """
    canonical = {k: v for k, v in asdict(cleaned).items() if k != "idempotency_key"}
    body = json.dumps(canonical, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    key = hashlib.sha256(b"cop-report-content-v1:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def _existing(key: str, digest: str) -> Receipt | None:
    """The receipt already given for this key, if the key was used; KeyReused if for another report."""
    report = Report.objects.filter(idempotency_key=key).first() if key else None
    if report is None:
        return None
    if not hmac.compare_digest(report.content_digest, digest):
        raise KeyReused(key)
    return Receipt(report.receipt, crypto.decrypt_text(report.secret), created=False)


def submit(submission: Submission) -> Receipt:
    """Store a report and its first case.

    The same idempotency key with the same content always gives the same receipt and one report; the
    same key with different content raises KeyReused and stores nothing.
    """
    cleaned, risk = validate(submission)
    digest = content_digest(cleaned)
    found = _existing(cleaned.idempotency_key, digest)
    if found is not None:
        return found
    secret = new_secret()
    try:
        with transaction.atomic():
            report = Report(
                country_id=cleaned.country,
                language=cleaned.language,
                reporter_age=cleaned.reporter_age,
                in_danger=cleaned.in_danger,
                where_seen=cleaned.where_seen,
                description=cleaned.description,
                risk=risk,
                contact=crypto.encrypt(cleaned.contact) if cleaned.contact else "",
                share_contact_abroad=cleaned.share_contact_abroad,
                idempotency_key=cleaned.idempotency_key or None,
                content_digest=digest if cleaned.idempotency_key else "",
            )
            report.set_secret(secret)
            report.save()
            ReportUrl.objects.bulk_create(
                ReportUrl(report=report, url=url, position=i) for i, url in enumerate(cleaned.urls, start=1)
            )
            Case.objects.create(
                report=report,
                organisation=competent_hotline(cleaned.country),
                priority=priority_of(report),
                created_at=report.submitted_at,
            )
    except IntegrityError:
        # The same key arrived twice at once: the other request stored it; answer as it did.
        found = _existing(cleaned.idempotency_key, digest)
        if found is None:
            raise
        return found
    return Receipt(report.receipt, secret, created=True)


def find(receipt: str, secret: str) -> Report | None:
    """The report of a receipt, if the secret matches; None either way otherwise (no oracle)."""
    report = Report.objects.filter(receipt=normalise_receipt(receipt)).prefetch_related("cases").first()
    if report is None or not report.secret_matches(secret):
        return None
    return report
