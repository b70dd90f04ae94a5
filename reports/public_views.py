"""Public publication pages (no login): only published evaluations are ever reachable here.

Every query starts from selectors.published_evaluations(); an id or path that leads to anything
unpublished is a 404, exactly like one that leads nowhere.
"""

from __future__ import annotations

import hashlib
import json

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, Max
from django.http import Http404, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_control

from projects.formatting import MONEY_UNITS, money_unit_or_default
from projects.ledger import evaluation_chain
from projects.models import Evaluation, Region
from reports import renderers, selectors
from reports.public_filters import PublicationFilter
from reports.selectors import publication
from reports.stored.documents import PACKAGE, PUBLIC, SUMMARY, TABLE, DocumentKey, report_key
from reports.stored.serve import respond, serve_public


def _money_unit(request) -> str:
    return money_unit_or_default(request.GET.get("money_unit"))


def _published(pk: int) -> Evaluation:
    try:
        return selectors.with_document_data(selectors.published_evaluations()).get(pk=pk)
    except Evaluation.DoesNotExist as exc:
        raise Http404("未找到该公开信息。") from exc


def _published_row(pk: int) -> Evaluation:
    """A published evaluation (with what a document key needs), else 404."""
    row = selectors.published_evaluations().select_related("project__unit").filter(pk=pk).first()
    if row is None:
        raise Http404("未找到该公开信息。")
    return row


def _download(request, key: DocumentKey) -> HttpResponse:
    """A public file: always a stored rendering (or a wait page while the worker makes it)."""
    response = serve_public(request, key)
    if response is None:
        raise Http404("未找到该公开信息。")
    return response


def publication_index(request):
    """Search and filter what is published; browse by region and year; the yearly CSVs.

    Five queries whatever the number of rows: the two filter choice lists, the count, the page,
    and the region/year groups.
    """
    filterset = PublicationFilter(request.GET or None, queryset=publication.index_queryset())
    # A value no filter offers (a year with nothing published, a made-up grade) finds nothing,
    # rather than being silently dropped and listing everything.
    invalid = filterset.is_bound and not filterset.is_valid()
    found = filterset.queryset.none() if invalid else filterset.qs
    page = Paginator(found, publication.INDEX_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    groups = publication.publication_groups()
    years = sorted({g.year for g in groups}, reverse=True)
    return render(
        request,
        "reports/public/index.html",
        {
            "filter": filterset,
            "page": page,
            "entries": publication.index_entries(page.object_list),
            "searched": any(request.GET.get(k) for k in filterset.filters),
            "invalid": invalid,
            "query": query.urlencode(),
            "groups": groups,
            "years": years,
        },
    )


def publication_region_year(request, region_code: str, year: int):
    """The departments of a region that published self-evaluations of a year."""
    region = publication.published_region(region_code)
    departments = publication.published_departments(region, year)
    return render(
        request,
        "reports/public/region_year.html",
        {"region": region, "year": year, "departments": departments},
    )


def publication_department(request, region_code: str, year: int, department_code: str):
    """One department's published 自评表 and reports of a year, each as PDF, Excel and JSON."""
    region = publication.published_region(region_code)
    department = publication.published_department(region, year, department_code)
    published = selectors.published_evaluations()
    summary = selectors.department_summary(published, department=department, year=year)
    overall = published.filter(
        project__unit__department=department, year=year, project__kind="department_overall"
    ).select_related("project__unit")
    return render(
        request,
        "reports/public/department.html",
        {
            "region": region,
            "department": department,
            "year": year,
            "s": summary,
            "overall": overall,
        },
    )


def publication_department_file(request, region_code: str, year: int, department_code: str, fmt):
    """The department's published documents in one PDF, or its summary workbook."""
    region = publication.published_region(region_code)
    department = publication.published_department(region, year, department_code)
    kind = SUMMARY if fmt == renderers.XLSX else PACKAGE
    key = DocumentKey(
        kind, fmt, _money_unit(request), department_id=department.pk, year=year, audience=PUBLIC
    )
    return _download(request, key)


def publication_evaluation(request, pk: int, fmt: str = renderers.HTML):
    """One published 自评表: on screen, as PDF or as a workbook."""
    if fmt != renderers.HTML:
        _published_row(pk)
        return _download(request, DocumentKey(TABLE, fmt, _money_unit(request), evaluation_id=pk))
    table = selectors.evaluation_table(
        selectors.published_evaluations(), pk=pk, money_unit=_money_unit(request)
    )
    context = {"t": table, "money_units": MONEY_UNITS, "chain": evaluation_chain(pk)}
    return render(request, "reports/public/evaluation.html", context)


def publication_evaluation_report(request, pk: int, fmt: str = renderers.HTML):
    """One published 自评报告, drafted only from what is published."""
    if fmt != renderers.HTML:
        key = report_key(_published_row(pk), fmt, _money_unit(request), audience=PUBLIC)
        return _download(request, key)
    report = selectors.evaluation_report(
        selectors.published_evaluations(), pk=pk, money_unit=_money_unit(request)
    )
    return render(request, "reports/public/report.html", {"r": report, "money_units": MONEY_UNITS})


def _json_response(request, evaluation) -> HttpResponse:
    url = request.build_absolute_uri(publication.json_path(evaluation))
    content = json.dumps(
        publication.public_document(evaluation, json_url=url), ensure_ascii=False, indent=2
    ).encode("utf-8")
    rendered = renderers.Rendered(
        content,
        renderers.CONTENT_TYPES["json"],
        f"{renderers.safe_name(evaluation.project.name)}_{evaluation.year}.json",
    )
    response = respond(request, rendered)
    response["Content-Disposition"] = content_disposition_header(False, rendered.filename)
    return response


@cache_control(public=True, max_age=300)
def publication_evaluation_json(request, pk: int):
    """Open data: the selfeval/1 document with the approved figures beside the claimed ones."""
    return _json_response(request, _published(pk))


@cache_control(public=True, max_age=300)
def publication_data_json(
    request, region_code: str, year: int, department_code: str, unit_code: str, project_code: str
):
    """The same open data under its stable public id (codes), the link the year CSV gives."""
    evaluation = publication.published_by_codes(
        region_code, year, department_code, unit_code, project_code
    )
    return _json_response(request, evaluation)


CSV_CACHE_SECONDS = 3600


def publication_year_csv(request, year: int):
    """Open data: every published evaluation of a year (projects and 部门整体), one line each,
    with stable codes, both scores and a link to each JSON; optionally one region.

    Built once per state of the year's publications and kept in the cache: the key holds the
    count and the latest change of what is published, so a publication or a withdrawal makes a
    new file at once, and a repeat costs one aggregate query (or 304 with the same ETag).
    """
    published = selectors.published_evaluations().filter(year=year)
    region_code = request.GET.get("region")
    name = f"{year}年度绩效自评公开数据.csv"
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        if region is None:
            raise Http404("未找到该地区。")
        published = published.filter(project__unit__department__region=region)
        name = f"{region.name}_{name}"
    state = published.aggregate(count=Count("pk"), last=Max("updated_at"))
    if not state["count"]:
        raise Http404("该年度暂无公开的自评信息。")
    key = (
        "public-csv:"
        + hashlib.sha256(
            f"{request.get_host()}|{year}|{region_code}|{state['count']}|{state['last']}".encode()
        ).hexdigest()
    )
    content = cache.get(key)
    if content is None:
        rows = publication.year_rows(published, absolute=request.build_absolute_uri)
        content = publication.year_csv(rows)
        cache.set(key, content, CSV_CACHE_SECONDS)
    etag = f'"{hashlib.sha256(content).hexdigest()}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(content, content_type=renderers.CONTENT_TYPES["csv"])
        response["Content-Disposition"] = content_disposition_header(True, name)
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=300)
    return response
