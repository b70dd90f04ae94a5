"""Review and oversight pages: queue, review page, tasks, spot checks, overview, notifications."""
