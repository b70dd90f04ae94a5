"""The review pages: queue, review page, transitions, spot checks, tasks, overview."""
