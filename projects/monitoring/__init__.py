"""绩效运行监控: rounds, the progress form, lights, review and the follow-up of red lights.

A monitoring report is one more kind of filing: it plugs into the one workflow
(`projects.review.services.workflow.register_filing_kind`), merges stale saves with the same
field-level merge as the self-evaluation (`projects.filing.merge`), and is lit by the pure
engine (`scoring.engine.monitoring`) through `scoring.monitoring`.
"""
