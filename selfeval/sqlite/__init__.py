"""The SQLite database backend: Django's, with the process's writers taken in turn (see base)."""
