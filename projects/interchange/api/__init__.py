"""The JSON API at /api/ (django-ninja): integration clients with per-client tokens.

clients.py   tokens and service accounts (created and revoked by the finance bureau)
auth.py      bearer authentication and the per-token rate limit
writes.py    import of projects, budgets and targets; pushes of execution to date
reads.py     evaluations, monitoring lights, result decisions, approved targets
endpoints.py the NinjaAPI instance and its routes
"""
