"""The words the 自评表 uses for its fields, shared by the form, the merge, the upload preview
and the history, so a field is named the same wherever a person meets it."""

from projects.models import FundSource

SOURCE_LABELS = {
    FundSource.TOTAL: "年度资金总额",
    FundSource.CURRENT_YEAR: "当年财政拨款",
    FundSource.CARRYOVER: "上年结转资金",
    FundSource.OTHER: "其他资金",
}
FUND_COLUMN_LABELS = {"initial": "年初预算数", "adjusted": "全年预算数", "executed": "全年执行数"}
RESULT_LABELS = {
    "actual": "实际完成值",
    "achievement": "完成程度",
    "claimed_score": "自评得分",
    "deviation_reason": "偏差原因分析及改进措施",
}
MIDYEAR_LABEL = "年中监控值"

# Findings' severities in words; a severity this version does not know reads as the mildest.
SEVERITY_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


def severity_label(severity: str) -> str:
    """错误 / 警告 / 提示 for a finding's severity, never the code itself."""
    return SEVERITY_LABELS.get(severity, "提示")
