"""Tests of the scoring engine, its rule sets and its command line."""
