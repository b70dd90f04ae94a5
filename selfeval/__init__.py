"""The selfeval Django project: settings, root URLs and site-wide pages."""
