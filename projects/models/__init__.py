"""The data model of filing and review; split by concern (org, budget, evaluation, review)."""

from projects.models.budget import FundLine, FundSource, FundType, Indicator, Project, TransferLevel
from projects.models.evaluation import (
    Achievement,
    Evaluation,
    EvaluationRevision,
    EvaluationStatus,
    IndicatorResult,
)
from projects.models.org import Department, Membership, Region, Unit
from projects.models.review import (
    DeadlineExtension,
    EvaluationTask,
    Notification,
    ReviewComment,
    ReviewStep,
    SpotCheck,
    SpotCheckItem,
    SpotCheckScore,
)

__all__ = [
    "Achievement",
    "DeadlineExtension",
    "Department",
    "Evaluation",
    "EvaluationRevision",
    "EvaluationStatus",
    "EvaluationTask",
    "FundLine",
    "FundSource",
    "FundType",
    "Indicator",
    "IndicatorResult",
    "Membership",
    "Notification",
    "Project",
    "Region",
    "ReviewComment",
    "ReviewStep",
    "SpotCheck",
    "SpotCheckItem",
    "SpotCheckScore",
    "TransferLevel",
    "Unit",
]
