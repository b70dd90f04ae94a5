"""What the API accepts and answers (pydantic via django-ninja); amounts are 元 as decimals."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

Source = Literal["current_year", "carryover", "other"]
AMOUNT = {"ge": 0, "max_digits": 18, "decimal_places": 2}


class Message(Schema):
    """An error: `detail` is a Chinese sentence, or {field: sentence} for bad input."""

    detail: str | dict | list


class FundPlanIn(Schema):
    source: Source = Field(description="资金来源：当年财政拨款 / 上年结转资金 / 其他资金")
    initial: Decimal | None = Field(None, description="年初预算数（元）", **AMOUNT)


class IndicatorIn(Schema):
    level1: str = Field(max_length=50, description="一级指标")
    level2: str = Field("", max_length=50, description="二级指标")
    name: str = Field(max_length=300, description="三级指标")
    target: str = Field("", max_length=300, description="年度指标值，如 ≥95%")
    weight: Decimal | None = Field(None, ge=0, max_digits=7, decimal_places=2, description="分值")
    method: str = Field("", max_length=300, description="评价方法（数据来源/调查方式）")


class ProjectIn(Schema):
    department_code: str = Field(description="主管部门代码")
    unit_code: str = Field(description="预算单位代码")
    code: str = Field(max_length=100, description="项目编码")
    name: str = Field(max_length=300, description="项目名称")
    kind: Literal["project", "department_overall"] = "project"
    fund_type: Literal["general", "government_fund", "state_capital", "social_insurance"] = (
        "general"
    )
    money_unit: Literal["元", "万元"] = "万元"
    goal_expected: str = Field("", description="年度总体目标")
    funds: list[FundPlanIn] = Field(default_factory=list, description="资金计划（年初预算数）")
    indicators: list[IndicatorIn] = Field(default_factory=list, description="绩效指标")


class TargetImportIn(Schema):
    year: int = Field(ge=2000, le=2100)
    approved: bool = Field(
        False,
        description="true：目标已随预算批复（仅财政局客户端），导入后经审核流程直接审核通过",
    )
    projects: list[ProjectIn] = Field(min_length=1, max_length=500)


class ImportedOut(Schema):
    project_id: int
    department_code: str
    unit_code: str
    code: str
    declaration_status: str
    version: int


class ExecutionFundIn(Schema):
    source: Source
    executed: Decimal = Field(description="执行数（元）", **AMOUNT)
    forecast: Decimal | None = Field(None, description="全年预计执行数（元，仅监控）", **AMOUNT)


class ExecutionItemIn(Schema):
    department_code: str
    unit_code: str
    project_code: str
    funds: list[ExecutionFundIn] = Field(min_length=1)


class MonitoringExecutionIn(Schema):
    year: int = Field(ge=2000, le=2100)
    as_of: datetime.date | None = Field(None, description="监控时点；空则为该年度最近一轮")
    items: list[ExecutionItemIn] = Field(min_length=1, max_length=500)


class EvaluationExecutionIn(Schema):
    year: int = Field(ge=2000, le=2100)
    items: list[ExecutionItemIn] = Field(min_length=1, max_length=500)


class PushedOut(Schema):
    id: int
    project_id: int
    code: str
    version: int
    status: str


class EvaluationOut(Schema):
    id: int
    project_id: int
    year: int
    department_code: str
    unit_code: str
    project_code: str
    project_name: str
    status: str
    status_label: str
    execution_rate: Decimal | None
    total: Decimal | None = Field(description="总分（计算）")
    grade: str = Field(description="等级（计算）")
    claimed_total: Decimal | None
    claimed_grade: str
    errors: int
    warnings: int
    infos: int
    scored_at: datetime.datetime | None


class MonitoringReportOut(Schema):
    id: int
    project_id: int
    year: int
    as_of: datetime.date
    department_code: str
    unit_code: str
    project_code: str
    project_name: str
    status: str
    light: str = Field(description="预警灯：green / yellow / red，空为未计算")
    execution_light: str
    time_progress: Decimal | None
    execution_rate: Decimal | None
    red: int
    yellow: int


class DecisionOut(Schema):
    evaluation_id: int
    project_id: int
    year: int
    department_code: str
    unit_code: str
    project_code: str
    decision: str
    decision_label: str
    cut_share: Decimal | None
    base_amount: Decimal | None
    next_year_amount: Decimal | None
    suggested_decision: str
    decided_at: datetime.datetime


class TargetOut(Schema):
    level1: str
    level2: str
    name: str
    target: str
    weight: Decimal | None
    method: str


class ApprovedTargetsOut(Schema):
    project_id: int
    year: int
    department_code: str
    unit_code: str
    code: str
    name: str
    declaration_status: str = Field(description="approved / published，空为随预算批复（无申报）")
    goal_expected: str
    funds: list[FundPlanIn]
    indicators: list[TargetOut]
