"""整改: items raised from reviews, reported by units, closed by reviewers."""

urlpatterns: list = []
