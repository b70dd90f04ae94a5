"""Fast bulk updates of computed columns, for recomputing a whole region in a few queries.

Django's `bulk_update` builds a CASE expression per row and field, which costs milliseconds per
row in Python; recomputing 10,000 evaluations must take seconds. This writes one
`WITH v(...) AS (VALUES ...) UPDATE ... FROM v` statement per chunk instead: standard SQL that both
PostgreSQL and SQLite (3.33+) run. PostgreSQL needs the VALUES columns cast to the field types;
SQLite is dynamically typed and must not be cast (CAST AS NUMERIC would truncate a date string).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, router


def bulk_set(model, objects: Sequence, fields: Sequence[str], *, batch_size: int = 1000) -> int:
    """Write `fields` of each object (by primary key) in one statement per batch; returns rows."""
    if not objects:
        return 0
    db = router.db_for_write(model)
    connection = connections[db]
    opts = model._meta
    model_fields = [opts.get_field(name) for name in fields]
    pk = opts.pk
    quote = connection.ops.quote_name
    cast = connection.vendor == "postgresql"

    def placeholder(field) -> str:
        return f"CAST(%s AS {field.db_type(connection)})" if cast else "%s"

    columns = [pk, *model_fields]
    row_sql = "(" + ", ".join(placeholder(f) for f in columns) + ")"
    names = ", ".join(quote(f"c{i}") for i in range(len(columns)))
    assignments = ", ".join(
        f"{quote(f.column)} = v.{quote(f'c{i + 1}')}" for i, f in enumerate(model_fields)
    )
    table = quote(opts.db_table)
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            batch = objects[start : start + batch_size]
            params = []
            for obj in batch:
                params.append(pk.get_db_prep_save(obj.pk, connection))
                for field in model_fields:
                    params.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
            sql = (
                f"WITH v({names}) AS (VALUES {', '.join([row_sql] * len(batch))}) "
                f"UPDATE {table} SET {assignments} FROM v "
                f"WHERE {table}.{quote(pk.column)} = v.{quote('c0')}"
            )
            cursor.execute(sql, params)
            written += len(batch)
    return written
