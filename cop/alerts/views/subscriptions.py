"""Members' pages for webhooks: register one, see its delivery log, change it, renew its secret, delete it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cop.alerts.forms import SubscriptionForm
from cop.alerts.models import Delivery, Subscription
from cop.alerts.permissions import MANAGE_WEBHOOKS
from cop.alerts.secret_box import new_secret, seal
from cop.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER
from cop.core import permissions
from cop.core.collation import sort_by_name
from cop.core.models import Organisation, User
from cop.outbox.queue import cancel

DELIVERIES_PER_PAGE = 10


def _organisations(request: HttpRequest) -> list[Organisation]:
    actor = permissions.actor_of(request)
    permissions.require_page(actor, "alerts:webhooks")
    reach = permissions.reach(actor, MANAGE_WEBHOOKS)
    return sort_by_name(
        Organisation.objects.filter(pk__in=reach.organisations).order_by("pk"), lambda o: o.name
    )


def _subscription(request: HttpRequest, pk: int) -> Subscription:
    """The webhook, if it belongs to one of the actor's organisations; others' are not found."""
    subscription = get_object_or_404(Subscription.objects.select_related("organisation"), pk=pk)
    allowed = permissions.allows(
        permissions.actor_of(request),
        MANAGE_WEBHOOKS,
        country_id=subscription.organisation.country_id,
        organisation_id=subscription.organisation_id,
    )
    if not allowed:
        raise Http404("no such webhook")
    return subscription


def _secret_page(request: HttpRequest, subscription: Subscription, secret: str) -> HttpResponse:
    return render(
        request,
        "alerts/webhook_secret.html",
        {
            "subscription": subscription,
            "secret": secret,
            "signature_header": SIGNATURE_HEADER,
            "timestamp_header": TIMESTAMP_HEADER,
        },
    )


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(request)
    subscriptions = Subscription.objects.filter(organisation__in=organisations).select_related("organisation")
    return render(request, "alerts/webhook_list.html", {"subscriptions": subscriptions})


@login_required
@never_cache
def webhook_create(request: HttpRequest) -> HttpResponse:
    organisations = _organisations(request)
    form = SubscriptionForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        secret = new_secret()
        subscription = Subscription.objects.create(
            organisation=data.get("organisation") or organisations[0],
            name=data["name"],
            url=data["url"],
            secret_sealed=seal(secret),
            country_codes=sorted(data["countries"]),
            risk_codes=sorted(data["risks"]),
            created_by=request.user if isinstance(request.user, User) else None,
        )
        return _secret_page(request, subscription, secret)
    return render(
        request,
        "alerts/webhook_form.html",
        {"form": form, "subscription": None},
        status=400 if form.is_bound else 200,
    )


@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    deliveries = (
        Delivery.objects.filter(subscription=subscription)
        .select_related("job", "alert")
        .prefetch_related("job__log", "alert__texts")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "alerts/webhook_detail.html",
        {
            "subscription": subscription,
            "page": page,
            "signature_header": SIGNATURE_HEADER,
            "timestamp_header": TIMESTAMP_HEADER,
        },
    )


@login_required
def webhook_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    initial = {
        "name": subscription.name,
        "url": subscription.url,
        "countries": subscription.country_codes,
        "risks": subscription.risk_codes,
    }
    form = SubscriptionForm(request.POST or None, organisations=[], editing=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        subscription.name, subscription.url = data["name"], data["url"]
        subscription.country_codes, subscription.risk_codes = sorted(data["countries"]), sorted(data["risks"])
        subscription.save()
        messages.success(request, _("The webhook is saved."))
        return redirect(subscription.get_absolute_url())
    return render(
        request,
        "alerts/webhook_form.html",
        {"form": form, "subscription": subscription},
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
@never_cache
def webhook_new_secret(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    secret = new_secret()
    subscription.secret_sealed = seal(secret)
    subscription.save()
    return _secret_page(request, subscription, secret)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _subscription(request, pk)
    with transaction.atomic():
        # Deliveries still waiting would only fail: they are cancelled with the webhook.
        cancel(subscription.deliveries.values_list("job_id", flat=True), "The webhook was deleted.")
        subscription.delete()
    messages.success(request, _("The webhook %(name)s is deleted.") % {"name": subscription.name})
    return redirect("alerts:webhooks")
