"""Rendered documents kept as files: rendered in tasks, served with validators, never in a
public request (issue: heavy work off the request path)."""
