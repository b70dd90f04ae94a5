"""The bureau's scorecard: per department and for the region (seed 004's figures)."""

urlpatterns: list = []
