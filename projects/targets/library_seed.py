"""A starter 共性指标库 for the demo region: common indicators every kind of project can use.

The 二级指标 follow the framework attached to 财预〔2020〕10号 (附件 项目支出绩效评价指标体系框架，
参考); the 三级指标, units and suggested targets are this system's examples, said so in each row.
"""

from __future__ import annotations

from django.db import transaction

from projects.models import Direction, LibraryIndicator, Region

FRAMEWORK = "财预〔2020〕10号 附件（二级指标）；三级指标为本系统示例"
EXAMPLE = "本系统示例"
H, L, E, Q = Direction.HIGHER, Direction.LOWER, Direction.EQUAL, Direction.QUALITATIVE

# (适用领域, 一级指标, 二级指标, 三级指标, 度量单位, 方向, 建议指标值写法, 政策依据)
INDICATORS = (
    ("通用", "产出指标", "数量指标", "培训人次", "人次", H, "≥500人次", FRAMEWORK),
    ("通用", "产出指标", "数量指标", "举办培训班期数", "期", H, "≥4期", FRAMEWORK),
    ("通用", "产出指标", "数量指标", "服务对象覆盖人数", "人", H, "≥1000人", FRAMEWORK),
    ("通用", "产出指标", "数量指标", "采购设备数量", "台（套）", E, "=20台（套）", FRAMEWORK),
    ("通用", "产出指标", "质量指标", "验收合格率", "%", H, "≥95%", FRAMEWORK),
    ("通用", "产出指标", "质量指标", "培训考核合格率", "%", H, "≥90%", FRAMEWORK),
    ("通用", "产出指标", "质量指标", "资金使用合规率", "%", E, "=100%", FRAMEWORK),
    ("通用", "产出指标", "时效指标", "按时完成率", "%", H, "≥95%", FRAMEWORK),
    ("通用", "产出指标", "时效指标", "资金拨付及时率", "%", H, "≥95%", FRAMEWORK),
    ("通用", "产出指标", "时效指标", "项目完成时间", "", Q, "年底前完成", FRAMEWORK),
    ("通用", "成本指标", "经济成本指标", "人均培训成本", "元/人次", L, "≤300元/人次", FRAMEWORK),
    ("通用", "成本指标", "经济成本指标", "单位面积建设成本", "元/平方米", L, "≤3000元/平方米",
     FRAMEWORK),
    ("通用", "成本指标", "经济成本指标", "项目总成本控制数", "万元", L, "≤预算批复数", FRAMEWORK),
    ("通用", "效益指标", "社会效益指标", "群众办事平均等待时间", "分钟", L, "≤15分钟", FRAMEWORK),
    ("通用", "效益指标", "社会效益指标", "政策知晓率", "%", H, "≥85%", FRAMEWORK),
    ("通用", "效益指标", "经济效益指标", "带动就业人数", "人", H, "≥50人", FRAMEWORK),
    ("通用", "效益指标", "生态效益指标", "单位能耗下降率", "%", H, "≥3%", FRAMEWORK),
    ("通用", "效益指标", "可持续影响指标", "长效管护机制建立情况", "", Q, "建立并有效运行",
     FRAMEWORK),
    ("通用", "满意度指标", "服务对象满意度指标", "服务对象满意度", "%", H, "≥90%",
     "财预〔2020〕10号 附件（满意度以问卷调查等方式取得）；评价方法示例：抽样问卷调查，"
     "样本不少于服务对象的5%"),
    ("通用", "满意度指标", "服务对象满意度指标", "培训学员满意度", "%", H, "≥90%",
     "财预〔2020〕10号 附件；评价方法示例：培训结束时发放问卷，回收率不低于80%"),
    ("教育", "产出指标", "数量指标", "资助学生人数", "人", H, "≥200人", EXAMPLE),
    ("农林水", "产出指标", "数量指标", "新增高标准农田面积", "亩", H, "≥1000亩", EXAMPLE),
)  # fmt: skip

FIELDS = (
    "function", "level1", "level2", "name", "unit_of_measure", "direction", "suggested_target",
    "policy_source",
)  # fmt: skip


@transaction.atomic
def seed_library(region: Region, user=None) -> int:
    """Add the starter indicators the region's library lacks (idempotent); return how many."""
    have = set(
        LibraryIndicator.objects.filter(region=region).values_list("function", "level2", "name")
    )
    added = 0
    for values in INDICATORS:
        row = dict(zip(FIELDS, values, strict=True))
        if (row["function"], row["level2"], row["name"]) in have:
            continue
        indicator = LibraryIndicator(region=region, created_by=user, **row)
        indicator._history_user = user
        indicator._change_reason = "示例共性指标库"
        indicator.save()
        added += 1
    return added
