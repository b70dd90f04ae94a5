"""绩效目标: declaration and review of targets, the common indicator library, the year rollover.

A declaration is one more kind of filing: it plugs into the one workflow
(`projects.review.services.workflow.register_filing_kind`), merges stale saves with the
self-evaluation's field-level merge, and is checked by the pure engine's target checks
(`scoring.engine.target_checks`) through `scoring.target_checks`.
"""
