"""Setting a child's device up: the configuration profile for iPhone, iPad and Mac."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from cop.filter import access
from cop.filter.setup import APPLE_PROFILE_TYPE, apple_profile, doh_url
from cop.filter.views.common import guardian


@login_required
@require_GET
@never_cache
def device_apple_profile(request: HttpRequest, pk: int) -> HttpResponse:
    """The .mobileconfig of a device, for its guardians only: it carries the device's token."""
    device = access.device_for(guardian(request), pk)
    url = doh_url(device.token)
    if not url:
        raise Http404(_("This installation does not offer DNS over HTTPS yet."))
    response = HttpResponse(apple_profile(device, url), content_type=APPLE_PROFILE_TYPE)
    response["Content-Disposition"] = f'attachment; filename="family-filter-device-{device.pk}.mobileconfig"'
    return response
