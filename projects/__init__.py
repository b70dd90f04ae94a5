"""What is filed and its life: organisations, budget projects, evaluations, reviews, tasks."""
