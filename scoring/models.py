"""The scoring app stores its results on projects.Evaluation; it has no models of its own."""
