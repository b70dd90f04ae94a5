#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "selfeval.settings")
    # A checkout's command line runs in demo mode; servers set SELFEVAL_MODE=production (and the
    # WSGI entry point defaults to production), so no server starts without a real secret.
    os.environ.setdefault("SELFEVAL_MODE", "demo")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
