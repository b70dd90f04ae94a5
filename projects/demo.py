"""Demo organisations and accounts layered over the seed documents in fixtures/.

The figures come from fixtures/*.json (transcribed from the published seeds); this module only
adds region codes, finance bureaus and one account per role so every page has someone to show it.
"""

from dataclasses import dataclass

DEMO_PASSWORD = "demo2024!"


@dataclass(frozen=True)
class DemoRegion:
    """A region of the demo: its official code and finance bureau."""

    name: str
    code: str
    finance_bureau: str


@dataclass(frozen=True)
class DemoAccount:
    """One demo login; scope names a region, department or unit by its name."""

    username: str
    full_name: str
    role: str
    scope: str


REGIONS = [
    DemoRegion("淮北市相山区", "340603", "淮北市相山区财政局"),
    DemoRegion("乌鲁木齐高新区", "650104", "乌鲁木齐高新区（新市区）财政局"),
    DemoRegion("秦皇岛市昌黎县", "130322", "昌黎县财政局"),
]

_XS_GOV = "淮北市相山区人民政府办公室"
_XS_KFQ = "安徽淮北相山经济开发区管理委员会"
_WLMQ = "乌鲁木齐高新技术产业开发区（乌鲁木齐市新市区）工业园区管理办公室"

ACCOUNTS = [
    DemoAccount("xs_finance", "相山区财政局 审核员", "finance_reviewer", "淮北市相山区"),
    DemoAccount("xs_gov_filer", "区政府办 填报员", "filer", _XS_GOV),
    DemoAccount("xs_gov_reviewer", "区政府办 审核员", "department_reviewer", _XS_GOV),
    DemoAccount("xs_kfq_filer", "开发区 填报员", "filer", _XS_KFQ),
    DemoAccount("xs_kfq_reviewer", "开发区 审核员", "department_reviewer", _XS_KFQ),
    DemoAccount("wlmq_finance", "高新区财政局 审核员", "finance_reviewer", "乌鲁木齐高新区"),
    DemoAccount("wlmq_filer", "工业园区办 填报员", "filer", _WLMQ),
    DemoAccount("wlmq_reviewer", "工业园区办 审核员", "department_reviewer", _WLMQ),
    DemoAccount("cl_finance", "昌黎县财政局 审核员", "finance_reviewer", "秦皇岛市昌黎县"),
    DemoAccount("cl_filer", "招商中心 填报员", "filer", "昌黎县招商中心"),
]
