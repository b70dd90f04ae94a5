"""Reads that feed pages and reports: plain contexts built from the `for_user` querysets."""
