"""Every change to an alert, each in one transaction with its audit records and webhook deliveries.

Views check who may act; these functions check what the alert's status
allows, and keep the rest consistent: a published alert that changes gets a
new revision and an "updated" event, a withdrawal reaches the same
subscribers as the publication did.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone

from cop.alerts import webhooks
from cop.alerts.models import TEXT_FIELDS, Alert, AlertCountry, AlertRisk, AlertText, Event, Status
from cop.core.models import Organisation, User
from cop.threats.models import Risk


class NotAllowedNow(Exception):
    """The alert's status does not allow this change."""


def _locked(alert: Alert) -> Alert:
    # A row lock on PostgreSQL, so that two people publishing at once publish once.
    return Alert.objects.select_for_update().get(pk=alert.pk)


def _set_text(text: AlertText, values: Mapping[str, str]) -> bool:
    changed = [name for name in TEXT_FIELDS if getattr(text, name) != values.get(name, "")]
    for name in changed:
        setattr(text, name, values.get(name, ""))
    if changed or text.pk is None:
        text.save()
    return bool(changed)


def _set_links(alert: Alert, country_ids: Iterable[str], risks: Iterable[Risk]) -> bool:
    """Make the alert's countries and risks these, row by row so that each change is audited."""
    changed = False
    wanted_countries = set(country_ids)
    for link in AlertCountry.objects.filter(alert=alert).exclude(country_id__in=wanted_countries):
        link.delete()
        changed = True
    for country_id in wanted_countries - set(alert.countries.values_list("iso2", flat=True)):
        AlertCountry.objects.create(alert=alert, country_id=country_id)
        changed = True
    wanted_risks = {r.pk for r in risks}
    for risk_link in AlertRisk.objects.filter(alert=alert).exclude(risk_id__in=wanted_risks):
        risk_link.delete()
        changed = True
    for risk_id in wanted_risks - set(alert.risks.values_list("pk", flat=True)):
        AlertRisk.objects.create(alert=alert, risk_id=risk_id)
        changed = True
    return changed


def create_draft(
    *,
    author: User,
    organisation: Organisation,
    language: str,
    severity: str,
    country_ids: Iterable[str],
    risks: Iterable[Risk],
    texts: Mapping[str, str],
) -> Alert:
    with transaction.atomic():
        alert = Alert.objects.create(
            language=language, severity=severity, author=author, organisation=organisation
        )
        _set_text(AlertText(alert=alert, language=language), texts)
        _set_links(alert, country_ids, risks)
    return alert


def _after_change(alert: Alert, base_url: str) -> None:
    published = alert.status == Status.PUBLISHED
    if published:
        alert.revision += 1
    # Saved even when only a text or a link changed: updated_at is the alert's.
    alert.save()
    if published:
        webhooks.announce(alert, Event.UPDATED, base_url)


def update(
    alert: Alert,
    *,
    severity: str,
    country_ids: Iterable[str],
    risks: Iterable[Risk],
    texts: Mapping[str, str],
    base_url: str,
) -> bool:
    """Change the facts and the original text; returns whether anything changed."""
    with transaction.atomic():
        alert = _locked(alert)
        if alert.status == Status.WITHDRAWN:
            raise NotAllowedNow("a withdrawn alert cannot be changed")
        changed = _set_text(alert.texts.get(language=alert.language), texts)
        changed = _set_links(alert, country_ids, risks) or changed
        if alert.severity != severity:
            alert.severity = severity
            changed = True
        if changed:
            _after_change(alert, base_url)
    return changed


def save_translation(alert: Alert, language: str, texts: Mapping[str, str], base_url: str) -> bool:
    """Add or change the text in another language; returns whether anything changed."""
    with transaction.atomic():
        alert = _locked(alert)
        if alert.status == Status.WITHDRAWN:
            raise NotAllowedNow("a withdrawn alert cannot be changed")
        if language == alert.language:
            raise NotAllowedNow("the original text is changed with the alert itself")
        text = AlertText.objects.filter(alert=alert, language=language).first()
        changed = _set_text(text or AlertText(alert=alert, language=language), texts) or text is None
        if changed:
            _after_change(alert, base_url)
    return changed


def publish(alert: Alert, base_url: str) -> Alert:
    with transaction.atomic():
        alert = _locked(alert)
        if alert.status != Status.DRAFT:
            raise NotAllowedNow("only a draft can be published")
        alert.status = Status.PUBLISHED
        alert.published_at = timezone.now()
        alert.revision = 1
        alert.save()
        webhooks.announce(alert, Event.PUBLISHED, base_url)
    return alert


def withdraw(alert: Alert, reason: str, base_url: str) -> Alert:
    with transaction.atomic():
        alert = _locked(alert)
        if alert.status != Status.PUBLISHED:
            raise NotAllowedNow("only a published alert can be withdrawn")
        alert.status = Status.WITHDRAWN
        alert.withdrawn_at = timezone.now()
        alert.withdrawal_reason = reason
        alert.save()
        webhooks.announce(alert, Event.WITHDRAWN, base_url)
    return alert
