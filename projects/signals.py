"""Signals other apps listen to, so projects never imports them (the arrows stay one-way)."""

from django.dispatch import Signal

# Sent by the workflow after every recorded step (submit, return, approve, publish, reopen),
# inside its transaction, with `evaluation`, `action`, `from_status` and `to_status`. The reports
# app keeps the stored documents of approved and published filings current from it.
workflow_step = Signal()
