"""Demo organisations, accounts and the stage each demo filing stands at.

The figures come from fixtures/*.json (transcribed from the published seeds); this module adds
region codes, finance bureaus, one account per role, a few invented (示例) filings built from the
seed-000 fixtures so every reviewer has a queue, and the plan that moves filings through the real
workflow so that every account's first page has work and the public page has a whole department.
"""

from dataclasses import dataclass

DEMO_PASSWORD = "demo2024!"


@dataclass(frozen=True)
class DemoRegion:
    """A region of the demo: its official code and finance bureau."""

    name: str
    code: str
    finance_bureau: str
    department_publishes: bool = False


@dataclass(frozen=True)
class DemoAccount:
    """One demo login; scope names a region, department or unit by its name."""

    username: str
    full_name: str
    role: str
    scope: str


@dataclass(frozen=True)
class DemoExample:
    """An invented filing: a seed-000 fixture's content under another unit, subject and year.

    Its subject name starts with 示例 and its indicators, goals and texts are the template's
    (already marked 示例); the template's report text (`notes`) is dropped.
    """

    key: str
    template: str
    region: str
    department: str
    unit: str
    name: str
    code: str
    year: int


@dataclass(frozen=True)
class DemoStage:
    """Where one filing stands after loading: reached through the workflow services.

    `filing` is a fixture file name or a DemoExample key. A return names the indicator its
    comment is attached to.
    """

    filing: str
    stage: str
    comment: str = ""
    indicator: str = ""
    indicator_comment: str = ""


DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
DEPARTMENT_APPROVED = "department_approved"
APPROVED = "approved"
PUBLISHED = "published"

REGIONS = [
    DemoRegion("淮北市相山区", "340603", "淮北市相山区财政局", department_publishes=True),
    DemoRegion("乌鲁木齐高新区", "650104", "乌鲁木齐高新区（新市区）财政局"),
    DemoRegion("秦皇岛市昌黎县", "130322", "昌黎县财政局"),
]

_XS = "淮北市相山区"
_XS_GOV = "淮北市相山区人民政府办公室"
_XS_YSHJ = "相山区创优营商环境服务中心"
_XS_KFQ = "安徽淮北相山经济开发区管理委员会"
_XS_KFQ_ZS = "相山经济开发区招商服务中心（示例）"
_XS_KFQ_JS = "相山经济开发区建设管理中心（示例）"
_WLMQ_REGION = "乌鲁木齐高新区"
_WLMQ = "乌鲁木齐高新技术产业开发区（乌鲁木齐市新市区）工业园区管理办公室"
_WLMQ_QY = "工业园区企业服务中心（示例）"
_CL_REGION = "秦皇岛市昌黎县"
_CL = "昌黎县招商中心"

ACCOUNTS = [
    DemoAccount("xs_finance", "相山区财政局 审核员", "finance_reviewer", _XS),
    DemoAccount("xs_renda", "相山区人大 监督查阅", "observer", _XS),
    DemoAccount("xs_gov_filer", "区政府办 填报员", "filer", _XS_GOV),
    DemoAccount("xs_gov_reviewer", "区政府办 审核员", "department_reviewer", _XS_GOV),
    DemoAccount("xs_yshj_filer", "营商环境服务中心 填报员", "filer", _XS_YSHJ),
    DemoAccount("xs_kfq_filer", "开发区 填报员", "filer", _XS_KFQ),
    DemoAccount("xs_kfq_reviewer", "开发区 审核员", "department_reviewer", _XS_KFQ),
    DemoAccount("xs_kfq_zs_filer", "开发区招商服务中心 填报员", "filer", _XS_KFQ_ZS),
    DemoAccount("xs_kfq_js_filer", "开发区建设管理中心 填报员", "filer", _XS_KFQ_JS),
    DemoAccount("wlmq_finance", "高新区财政局 审核员", "finance_reviewer", _WLMQ_REGION),
    DemoAccount("wlmq_filer", "工业园区办 填报员", "filer", _WLMQ),
    DemoAccount("wlmq_reviewer", "工业园区办 审核员", "department_reviewer", _WLMQ),
    DemoAccount("wlmq_qyfw_filer", "企业服务中心 填报员", "filer", _WLMQ_QY),
    DemoAccount("cl_finance", "昌黎县财政局 审核员", "finance_reviewer", _CL_REGION),
    DemoAccount("cl_filer", "招商中心 填报员", "filer", _CL),
]

_OFFICE = "seed000-kfq-2024-10-office-supplies.json"
_UTILITIES = "seed000-kfq-2024-13-utilities-property.json"
_STATISTICS = "seed000-kfq-2024-08-statistics-census.json"

# Invented filings, one per queue the seeds cannot fill: a subordinate unit of 区政府办 and of
# 工业园区办 (so their reviewers have submissions), and a 2024 season for 昌黎 (whose 2023 filings
# are all published, the whole department on the public page).
EXAMPLES = [
    DemoExample(
        "xs-yshj-2023-utilities",
        _UTILITIES,
        _XS,
        _XS_GOV,
        _XS_YSHJ,
        "示例：水、电、燃气、网络、物业等日常运转费用",
        "DEMO-XSYS-2023-01",
        2023,
    ),
    DemoExample(
        "xs-yshj-2023-office",
        _OFFICE,
        _XS,
        _XS_GOV,
        _XS_YSHJ,
        "示例：办公用品及设备采购费用",
        "DEMO-XSYS-2023-02",
        2023,
    ),
    DemoExample(
        "wlmq-qyfw-2024-office",
        _OFFICE,
        _WLMQ_REGION,
        _WLMQ,
        _WLMQ_QY,
        "示例：办公用品及设备采购费用",
        "DEMO-WLQY-2024-01",
        2024,
    ),
    DemoExample(
        "wlmq-qyfw-2024-utilities",
        _UTILITIES,
        _WLMQ_REGION,
        _WLMQ,
        _WLMQ_QY,
        "示例：水、电、燃气、网络、物业等日常运转费用",
        "DEMO-WLQY-2024-02",
        2024,
    ),
    DemoExample(
        "wlmq-qyfw-2024-statistics",
        _STATISTICS,
        _WLMQ_REGION,
        _WLMQ,
        _WLMQ_QY,
        "示例：统计及经济普查费用",
        "DEMO-WLQY-2024-03",
        2024,
    ),
    DemoExample(
        "cl-2024-office",
        _OFFICE,
        _CL_REGION,
        _CL,
        _CL,
        "示例：办公用品及设备采购费用",
        "DEMO-CL-2024-01",
        2024,
    ),
    DemoExample(
        "cl-2024-utilities",
        _UTILITIES,
        _CL_REGION,
        _CL,
        _CL,
        "示例：水、电、燃气、网络、物业等日常运转费用",
        "DEMO-CL-2024-02",
        2024,
    ),
]


def _kfq(nn: str, slug: str) -> str:
    return f"seed000-kfq-2024-{nn}-{slug}.json"


# Filings not listed stay drafts as imported: the seed-001 and seed-002 filings keep the defects
# their published tables carry (a missed target without a reason, report figures that disagree
# with the table), so their filers' first task is a real one.
STAGES = [
    # 开发区 2024: 本级 and two subordinate units, a filing at every stage.
    DemoStage(_kfq("01", "car-purchase"), PUBLISHED),
    DemoStage(_kfq("02", "labour-dispatch"), PUBLISHED),
    DemoStage(_kfq("06", "trade-union"), PUBLISHED),
    DemoStage(_kfq("08", "statistics-census"), PUBLISHED),
    DemoStage(_kfq("14", "advertising-publicity"), PUBLISHED),
    DemoStage(_kfq("17", "staff-reform-performance"), PUBLISHED),
    DemoStage(_kfq("10", "office-supplies"), APPROVED),
    DemoStage(_kfq("12", "party-building"), APPROVED),
    DemoStage(_kfq("11", "transport-training-meals"), DEPARTMENT_APPROVED),
    DemoStage(_kfq("13", "utilities-property"), DEPARTMENT_APPROVED),
    DemoStage(_kfq("03", "investment-subsidies"), SUBMITTED),
    DemoStage(
        _kfq("07", "investment-promotion"),
        RETURNED,
        comment="示例：新引进工业项目未达年度指标值，请补充项目清单并完善偏差原因分析。",
        indicator="示例：新引进工业项目",
        indicator_comment="示例：请列明已签约未落地的项目及预计落地时间。",
    ),
    DemoStage(_kfq("09", "factory-rent"), PUBLISHED),
    DemoStage(_kfq("04", "environment-safety"), DEPARTMENT_APPROVED),
    DemoStage(_kfq("15", "infrastructure-maintenance"), SUBMITTED),
    # 区政府办 2023: the service centre's invented filings, one waiting for the department.
    DemoStage("xs-yshj-2023-utilities", SUBMITTED),
    # 工业园区办: the subordinate unit's filings at three stages, in 2024 so that the seed's 2023
    # department report (one project) stays true.
    DemoStage("wlmq-qyfw-2024-office", SUBMITTED),
    DemoStage("wlmq-qyfw-2024-utilities", DEPARTMENT_APPROVED),
    DemoStage(
        "wlmq-qyfw-2024-statistics",
        RETURNED,
        comment="示例：请核实经济普查清查单位数的数据来源并补充说明。",
        indicator="示例：完成经济普查单位清查",
        indicator_comment="示例：请附清查台账，说明统计口径。",
    ),
    # 昌黎县招商中心: 2023 wholly published (seed 003); 2024 under way.
    DemoStage("seed003-changli-investment-2023-department.json", PUBLISHED),
    DemoStage("seed003-changli-investment-2023-investment-funds.json", PUBLISHED),
    DemoStage("cl-2024-utilities", DEPARTMENT_APPROVED),
]


@dataclass(frozen=True)
class DemoMonitoring:
    """One subject's report in the demo's mid-year round (绩效运行监控, as of 30 June).

    `executed` is the share of the full-year budget spent by then, `progress` the share of the
    prorated target each cumulative indicator reached (1 = on schedule); a stage other than
    draft is reached through the one workflow, and `decision` is the reviewer's follow-up of
    a red light.
    """

    filing: str
    executed: str
    progress: str
    stage: str
    comment: str = ""
    decision: str = ""
    decision_comment: str = ""
    indicator: str = ""
    indicator_comment: str = ""


MONITORING_REGION = _XS
MONITORING_AS_OF = (2024, 6, 30)
MONITORING_DEADLINE = (2024, 7, 15)
# 开发区 2024 at mid-year: a red light waiting for the 主管部门, one returned, one red light
# decided by the finance bureau, on-track reports approved, the rest still drafts.
MONITORING = [
    DemoMonitoring(_kfq("03", "investment-subsidies"), "0.18", "0.40", SUBMITTED),
    DemoMonitoring(
        _kfq("15", "infrastructure-maintenance"),
        "0.35",
        "0.70",
        RETURNED,
        comment="示例：执行进度低于时间进度，请补充未支付合同的付款计划。",
    ),
    DemoMonitoring(
        _kfq("07", "investment-promotion"),
        "0.12",
        "0.30",
        DEPARTMENT_APPROVED,
        decision="urge",
        decision_comment="示例：请开发区于8月底前报送资金支付计划，逾期未改善的调减预算。",
    ),
    DemoMonitoring(_kfq("04", "environment-safety"), "0.22", "0.50", DEPARTMENT_APPROVED),
    DemoMonitoring(_kfq("10", "office-supplies"), "0.46", "1.00", APPROVED),
    DemoMonitoring(_kfq("12", "party-building"), "0.52", "1.05", APPROVED),
    DemoMonitoring(_kfq("13", "utilities-property"), "0.50", "1.30", SUBMITTED),
]


@dataclass(frozen=True)
class DemoDeclaration:
    """A 2025 target declaration carried over from a 2024 subject by the year rollover, its
    fund plan declared by its unit and moved to a stage through the one workflow."""

    filing: str
    stage: str
    comment: str = ""
    indicator: str = ""
    indicator_comment: str = ""


DECLARATION_REGION = _XS
DECLARATION_YEARS = (2024, 2025)
# 开发区's 2025 targets: one waiting for the 主管部门, one returned with a comment on a target,
# one with the finance bureau, one approved; the rest are the units' drafts.
DECLARATIONS = [
    DemoDeclaration(_kfq("03", "investment-subsidies"), SUBMITTED),
    DemoDeclaration(
        _kfq("09", "factory-rent"),
        RETURNED,
        comment="示例：租赁面积目标未随2025年招商计划调整，请重新测算。",
        indicator="示例：租赁标准化厂房面积",
        indicator_comment="示例：请按2025年入驻计划填写租赁面积。",
    ),
    DemoDeclaration(_kfq("10", "office-supplies"), DEPARTMENT_APPROVED),
    DemoDeclaration(_kfq("12", "party-building"), APPROVED),
]
