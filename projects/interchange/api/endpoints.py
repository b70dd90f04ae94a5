"""The API's routes: mounted at /api/, schema at /api/openapi.json, no docs page (no CDN).

Every route needs a client's token (401 without), is rate limited per token (429), and reads
or writes only through the gate and the write services: another region's object is a 404, a
write the client's role may not make a 403, bad figures a 422 with Chinese messages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from projects.filing.services import StaleVersion
from projects.interchange.api import reads, writes
from projects.interchange.api.auth import ClientRateThrottle, ClientToken
from projects.interchange.api.schemas import (
    ApprovedTargetsOut,
    DecisionOut,
    EvaluationExecutionIn,
    EvaluationOut,
    ImportedOut,
    Message,
    MonitoringExecutionIn,
    MonitoringReportOut,
    PushedOut,
    TargetImportIn,
)

api = NinjaAPI(
    title="预算绩效自评系统接口",
    version="1",
    description="项目、预算和绩效目标导入，执行数推送，自评结果、监控预警和结果应用查询。",
    openapi_url="/openapi.json",
    docs_url=None,
    urls_namespace="api",
    auth=ClientToken(),
    throttle=ClientRateThrottle(),
)

ERRORS = {401: Message, 403: Message, 404: Message, 409: Message, 422: Message, 429: Message}
MAX_LIMIT = 500


class Page(Schema):
    limit: int = 100
    offset: int = 0


def _page(rows, page: Page, row) -> dict:
    limit = max(1, min(page.limit, MAX_LIMIT))
    offset = max(0, page.offset)
    return {"count": rows.count(), "items": [row(obj) for obj in rows[offset : offset + limit]]}


def _answer(request, status: int, detail):
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return _answer(request, 401, "缺少有效的接口令牌，或令牌已被吊销。")


@api.exception_handler(Throttled)
def _throttled(request, exc):
    return _answer(request, 429, "请求过于频繁，请稍后再试。")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    # ninja's own refusals; the one a client meets is a body it cannot parse.
    if exc.status_code == 400:
        return _answer(request, 400, "请求体不是有效的 JSON。")
    return _answer(request, exc.status_code, str(exc))


@api.exception_handler(Http404)
def _not_found(request, exc):
    text = str(exc)
    return _answer(
        request, 404, text if text and text != "Not Found" else "未找到该记录，或您无权查看。"
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _answer(request, 403, str(exc) or "您没有执行此操作的权限。")


@api.exception_handler(StaleVersion)
def _stale(request, exc):
    return _answer(request, 409, str(exc))


@api.exception_handler(DjangoValidationError)
def _invalid(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return _answer(request, 422, detail)


PYDANTIC_MESSAGES = {
    "missing": "必填。",
    "int_parsing": "请填写整数。",
    "decimal_parsing": "请填写数字。",
    "greater_than_equal": "不能小于 {ge}。",
    "less_than_equal": "不能大于 {le}。",
    "decimal_max_places": "最多 {decimal_places} 位小数。",
    "decimal_max_digits": "数字位数过多。",
    "string_too_long": "不能超过 {max_length} 字。",
    "too_short": "至少需要 {min_length} 项。",
    "too_long": "最多 {max_length} 项。",
    "literal_error": "取值无效，可选：{expected}。",
    "date_from_datetime_parsing": "请填写日期，如 2025-06-30。",
    "date_parsing": "请填写日期，如 2025-06-30。",
    "json_invalid": "请求体不是有效的 JSON。",
}


@api.exception_handler(NinjaValidationError)
def _bad_input(request, exc):
    detail = {}
    for error in exc.errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body", "payload"))
        template = PYDANTIC_MESSAGES.get(error.get("type"), "取值无效。")
        try:
            detail[where or "请求"] = template.format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            detail[where or "请求"] = "取值无效。"
    return _answer(request, 422, detail)


# --- writes -----------------------------------------------------------------------------------


def _imported(declaration) -> dict:
    project = declaration.project
    return {
        "project_id": project.pk,
        "department_code": project.unit.department.code,
        "unit_code": project.unit.code,
        "code": project.code,
        "declaration_status": declaration.status,
        "version": declaration.version,
    }


def _pushed(filing) -> dict:
    return {
        "id": filing.pk,
        "project_id": filing.project_id,
        "code": filing.project.code,
        "version": filing.version,
        "status": filing.status,
    }


@api.post("/targets/import", response={200: list[ImportedOut], **ERRORS}, tags=["导入"])
def targets_import(request, payload: TargetImportIn):
    """导入项目、资金计划（年初预算数）和绩效目标；approved=true 时目标随预算批复直接审核通过。"""
    declarations = writes.targets_import(
        client=request.auth,
        year=payload.year,
        projects=payload.projects,
        approved=payload.approved,
    )
    return [_imported(d) for d in declarations]


@api.post("/monitoring/execution", response={200: list[PushedOut], **ERRORS}, tags=["推送"])
def monitoring_execution(request, payload: MonitoringExecutionIn):
    """推送截至监控时点的执行数（支付数），按资金来源，写入该年度最近一轮监控表。"""
    reports = writes.monitoring_execution_push(
        client=request.auth, year=payload.year, items=payload.items, as_of=payload.as_of
    )
    return [_pushed(r) for r in reports]


@api.post("/evaluations/execution", response={200: list[PushedOut], **ERRORS}, tags=["推送"])
def evaluation_execution(request, payload: EvaluationExecutionIn):
    """推送全年执行数，按资金来源，写入该项目的年度自评。"""
    evaluations = writes.evaluation_execution_push(
        client=request.auth, year=payload.year, items=payload.items
    )
    return [_pushed(e) for e in evaluations]


# --- reads ------------------------------------------------------------------------------------


class EvaluationPage(Schema):
    count: int
    items: list[EvaluationOut]


class ReportPage(Schema):
    count: int
    items: list[MonitoringReportOut]


class DecisionPage(Schema):
    count: int
    items: list[DecisionOut]


class TargetsPage(Schema):
    count: int
    items: list[ApprovedTargetsOut]


@api.get("/evaluations", response={200: EvaluationPage, **ERRORS}, tags=["查询"])
def evaluation_list(request, year: int | None = None, page: Query[Page] = None):
    """自评：状态、得分、等级和问题数。"""
    return _page(
        reads.evaluations(request.auth.user, year=year), page or Page(), reads.evaluation_row
    )


@api.get("/evaluations/{evaluation_id}", response={200: EvaluationOut, **ERRORS}, tags=["查询"])
def evaluation_detail(request, evaluation_id: int):
    """一项自评。"""
    return reads.evaluation_row(reads.evaluation(request.auth.user, evaluation_id))


@api.get("/monitoring/reports", response={200: ReportPage, **ERRORS}, tags=["查询"])
def report_list(request, year: int | None = None, page: Query[Page] = None):
    """监控表的预警灯。"""
    return _page(reads.reports(request.auth.user, year=year), page or Page(), reads.report_row)


@api.get(
    "/monitoring/reports/{report_id}", response={200: MonitoringReportOut, **ERRORS}, tags=["查询"]
)
def report_detail(request, report_id: int):
    """一张监控表的预警灯。"""
    return reads.report_row(reads.report(request.auth.user, report_id))


@api.get("/results/decisions", response={200: DecisionPage, **ERRORS}, tags=["查询"])
def decision_list(request, year: int | None = None, page: Query[Page] = None):
    """结果应用：下年预算的处理意见。"""
    return _page(reads.decisions(request.auth.user, year=year), page or Page(), reads.decision_row)


@api.get("/targets", response={200: TargetsPage, **ERRORS}, tags=["查询"])
def approved_targets(request, year: int, page: Query[Page] = None):
    """该年度绩效目标已审核通过（或随预算批复）的项目及其目标。"""
    return _page(
        reads.approved_targets(request.auth.user, year=year), page or Page(), reads.targets_row
    )
