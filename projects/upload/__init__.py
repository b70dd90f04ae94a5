"""Upload of filled tables: the 自评表 workbook (.xlsx) and selfeval/1 JSON, all or nothing."""
