"""结果应用, 整改 and the finance bureau's scorecard: the stage where grades decide the budget."""
