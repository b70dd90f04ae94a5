"""Compress the stored scoring result and input snapshot with lz4 on PostgreSQL.

A region's recompute writes about 13 KB of JSON per evaluation; PostgreSQL's default pglz
compression took about 40 % of the server's time for it, lz4 a fraction of that (measured with
bench/bench_recompute_region.py). Servers built without lz4, and SQLite, keep their default.
"""

from django.db import migrations

COLUMNS = ("result", "input_snapshot")


def _lz4_available(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _set(method):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql" or not _lz4_available(connection):
            return
        quote = schema_editor.quote_name
        table = quote(apps.get_model("projects", "Evaluation")._meta.db_table)
        changes = ", ".join(f"ALTER COLUMN {quote(c)} SET COMPRESSION {method}" for c in COLUMNS)
        schema_editor.execute(f"ALTER TABLE {table} {changes}")

    return run


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(_set("lz4"), _set("default"), elidable=False)]
