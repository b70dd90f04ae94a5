"""The pure scoring engine (standard library and Decimal only): the one place scores are made."""

from .model import (
    EvaluationInput,
    EvaluationResult,
    Finding,
    FundLine,
    IndicatorInput,
    IndicatorResult,
)
from .monitoring import (
    MonitoringIndicatorInput,
    MonitoringInput,
    MonitoringResult,
    monitor,
    monitoring_to_json,
)
from .rules import DEFAULT_RULESET_ID, RuleSet, RuleSetError, list_rulesets, load_ruleset
from .score import score_evaluation
from .targets import Target, format_target, parse_actual, parse_target

__all__ = [
    "DEFAULT_RULESET_ID",
    "EvaluationInput",
    "EvaluationResult",
    "Finding",
    "FundLine",
    "IndicatorInput",
    "IndicatorResult",
    "MonitoringIndicatorInput",
    "MonitoringInput",
    "MonitoringResult",
    "RuleSet",
    "RuleSetError",
    "Target",
    "format_target",
    "list_rulesets",
    "load_ruleset",
    "monitor",
    "monitoring_to_json",
    "parse_actual",
    "parse_target",
    "score_evaluation",
]
