"""Region administration: the finance bureau sets up its own departments, units, users and projects."""
