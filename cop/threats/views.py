from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cop.threats.models import AgeBand, Classification, Dimension, Risk, RiskType


def _classification(request: HttpRequest) -> Classification:
    version = request.GET.get("version", "")
    if version:
        if not version.isdigit():
            raise Http404("unknown version")
        return get_object_or_404(Classification, version=int(version))
    current = Classification.objects.current()
    if current is None:
        raise Http404("the classification has not been loaded")
    return current


def _band(request: HttpRequest) -> str:
    band = request.GET.get("band", "")
    return band if band in AgeBand.values else ""


def classification(request: HttpRequest) -> HttpResponse:
    current = _classification(request)
    band = _band(request)
    risks = list(current.risks.all())
    by_cell = {(r.dimension, r.type): r for r in risks}
    rows = [
        {
            "dimension": dimension,
            "text": current.dimension_text(dimension),
            "cells": [by_cell.get((dimension, risk_type)) for risk_type in RiskType.values],
        }
        for dimension in Dimension.values
        if dimension != Dimension.CROSS_CUTTING
    ]
    types = [{"code": t, "text": current.type_text(t)} for t in RiskType.values]
    return render(
        request,
        "threats/classification.html",
        {
            "classification": current,
            "versions": Classification.objects.all(),
            "rows": rows,
            "types": types,
            "cross_cutting": [r for r in risks if r.dimension == Dimension.CROSS_CUTTING],
            "cross_cutting_text": current.dimension_text(Dimension.CROSS_CUTTING),
            "band": band,
            "bands": AgeBand.choices,
        },
    )


def risk_detail(request: HttpRequest, code: str) -> HttpResponse:
    current = _classification(request)
    risk = get_object_or_404(Risk, classification=current, code=code)
    children = [
        {"band": value, "label": label, **risk.for_children(value)} for value, label in AgeBand.choices
    ]
    guidelines = risk.guidelines.select_related().order_by("audience", "group", "position")
    return render(
        request,
        "threats/risk_detail.html",
        {
            "classification": current,
            "risk": risk,
            "dimension_text": current.dimension_text(risk.dimension),
            "type_text": current.type_text(risk.type) if risk.type else None,
            "children": children,
            "guidelines": guidelines,
        },
    )
