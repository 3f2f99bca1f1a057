"""Block lists: their categories and sources, imports with progress, and the versions in force."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cop.core.permissions import actor_of
from cop.filter import jobs, permissions
from cop.filter.list_forms import FilterListForm, LocalRecordForm, UploadForm
from cop.filter.models import FilterList, ListVersion, LocalRecord
from cop.filter.views.common import page


def _list_for(request: HttpRequest, pk: int) -> FilterList:
    filter_list = get_object_or_404(FilterList.objects.select_related("maintainer"), pk=pk)
    if not permissions.may_import(actor_of(request), filter_list):
        raise Http404
    return filter_list


@login_required
def list_index(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    if not permissions.may_see_lists(actor):
        raise Http404
    lists = permissions.lists_for(actor)
    rows = [
        (filter_list, filter_list.active_version(), filter_list.versions.first()) for filter_list in lists
    ]
    return page(request, "filter/lists.html", {"rows": rows, "may_manage": permissions.may_manage(actor)})


@login_required
def list_create(request: HttpRequest) -> HttpResponse:
    if not permissions.may_manage(actor_of(request)):
        raise Http404
    form = FilterListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        filter_list = form.save()
        jobs.schedule_refresh(filter_list)
        messages.success(request, _("The list is created. Import its first version below."))
        return redirect("filter:list", pk=filter_list.pk)
    return page(request, "filter/list_form.html", {"form": form}, invalid=form.is_bound)


@login_required
def list_edit(request: HttpRequest, pk: int) -> HttpResponse:
    filter_list = _list_for(request, pk)
    if not permissions.may_manage(actor_of(request)):
        raise Http404
    form = FilterListForm(request.POST or None, instance=filter_list)
    if request.method == "POST" and form.is_valid():
        form.save()
        jobs.schedule_refresh(filter_list)
        messages.success(request, _("The list is saved."))
        return redirect("filter:list", pk=filter_list.pk)
    return page(
        request, "filter/list_form.html", {"form": form, "filter_list": filter_list}, invalid=form.is_bound
    )


@login_required
def list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    filter_list = _list_for(request, pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        version = jobs.import_upload(filter_list, upload.name, upload.chunks())
        return redirect("filter:list-version", pk=filter_list.pk, number=version.number)
    context = {
        "filter_list": filter_list,
        "versions": filter_list.versions.all()[:20],
        "active": filter_list.active_version(),
        "form": form,
        "may_manage": permissions.may_manage(actor_of(request)),
    }
    return page(request, "filter/list_detail.html", context, invalid=form.is_bound)


@login_required
@require_POST
def list_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    filter_list = _list_for(request, pk)
    if not filter_list.url:
        messages.error(request, _("This list has no address to refresh from."))
        return redirect("filter:list", pk=filter_list.pk)
    version = jobs.import_from_address(filter_list)
    return redirect("filter:list-version", pk=filter_list.pk, number=version.number)


def _version(request: HttpRequest, pk: int, number: int) -> ListVersion:
    filter_list = _list_for(request, pk)
    return get_object_or_404(
        ListVersion.objects.select_related("filter_list"), filter_list=filter_list, number=number
    )


def progress(version: ListVersion) -> dict[str, object]:
    share = round(100 * version.bytes_read / version.bytes_total) if version.bytes_total else None
    return {
        "status": version.status,
        "status_text": version.get_status_display(),
        "bytes_read": version.bytes_read,
        "bytes_total": version.bytes_total,
        "percent": min(share, 100) if share is not None else None,
        "done": version.status != ListVersion.Status.IMPORTING,
    }


@never_cache
@login_required
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    version = _version(request, pk, number)
    context = {"filter_list": version.filter_list, "version": version, "progress": progress(version)}
    return page(request, "filter/list_version.html", context)


@never_cache
@login_required
def version_progress(request: HttpRequest, pk: int, number: int) -> JsonResponse:
    """What the version page polls while an import runs."""
    return JsonResponse(progress(_version(request, pk, number)))


@login_required
def local_records(request: HttpRequest) -> HttpResponse:
    """Names the resolver answers itself (a school's intranet, a router's page), for every client."""
    if not permissions.may_manage(actor_of(request)):
        raise Http404
    form = LocalRecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        record = form.save()
        messages.success(request, _("%(name)s is answered by the filter now.") % {"name": record.name})
        return redirect("filter:local-records")
    context = {"form": form, "records": LocalRecord.objects.all()}
    return page(request, "filter/local_records.html", context, invalid=form.is_bound)


@login_required
@require_POST
def local_record_delete(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.may_manage(actor_of(request)):
        raise Http404
    record = get_object_or_404(LocalRecord, pk=pk)
    record.delete()
    messages.success(request, _("%(name)s is no longer answered by the filter.") % {"name": record.name})
    return redirect("filter:local-records")
