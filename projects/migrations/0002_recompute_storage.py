"""PostgreSQL storage settings for the tables a recompute rewrites (SQLite keeps its defaults).

Measured with bench/bench_recompute_region.py and EXPLAIN ANALYZE on 10,000 evaluations:

- The stored result and input snapshot are about 10 KB of JSON per evaluation, and the default
  pglz compression took about 40 % of the server's time for writing them; lz4 (where the server
  is built with it) a fraction of that.
- Every recompute and every saved figure rewrites an indicator row's computed score. With half of
  each page left free (fillfactor 50) the new row version lands beside the old one as a HOT
  update, which touches none of the table's four indexes: writing 20,000 scores took 60 ms instead
  of 220 ms. The table is small (about 160 bytes a row), so doubling its pages costs little.
  The setting applies to pages written from now on; `VACUUM FULL projects_indicatorresult`
  rewrites existing ones.
"""

from django.db import migrations

COMPRESSED = ("result", "input_snapshot")


def _lz4_available(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _table(apps, schema_editor, model):
    return schema_editor.quote_name(apps.get_model("projects", model)._meta.db_table)


def _apply(compression: str, fillfactor: int):
    def run(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        quote = schema_editor.quote_name
        if _lz4_available(connection):
            changes = ", ".join(
                f"ALTER COLUMN {quote(c)} SET COMPRESSION {compression}" for c in COMPRESSED
            )
            evaluations = _table(apps, schema_editor, "Evaluation")
            schema_editor.execute(f"ALTER TABLE {evaluations} {changes}")
        schema_editor.execute(
            f"ALTER TABLE {_table(apps, schema_editor, 'IndicatorResult')} "
            f"SET (fillfactor = {fillfactor})"
        )

    return run


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(_apply("lz4", 50), _apply("default", 100), elidable=False)]
