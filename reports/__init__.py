"""Report contexts and renderers: 自评表, 部门整体表, 自评报告, summaries, publication."""
