"""The filer's side of the application: workspace, evaluation form, drafts and submission."""
