"""Scoring of self-evaluations: a pure engine, rule sets as data, and the bridge to the ORM."""
