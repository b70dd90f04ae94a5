"""Fast bulk updates of computed columns, for recomputing a whole region in a few queries.

Django's `bulk_update` builds a CASE expression per row and field, which costs milliseconds per
row in Python; recomputing 10,000 evaluations must take seconds. Instead one UPDATE ... FROM
statement is written per batch, with the rows passed as a single JSON parameter and unpacked by the
database: `jsonb_to_recordset` on PostgreSQL, `json_each` on SQLite. A single parameter keeps the
driver from splitting and quoting a statement with tens of thousands of placeholders. Both forms are
exercised by the test suite, which CI runs on both databases.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Sequence
from decimal import Decimal

from django.db import connections, router


def _json_default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def bulk_set(model, objects: Sequence, fields: Sequence[str], *, batch_size: int = 1000) -> int:
    """Write `fields` of each object (matched by `pk`) in one statement per batch; returns rows."""
    if not objects:
        return 0
    connection = connections[router.db_for_write(model)]
    opts = model._meta
    model_fields = [opts.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    table = quote(opts.db_table)
    pk_column = f"{table}.{quote(opts.pk.column)}"
    if connection.vendor == "postgresql":
        definitions = ", ".join(
            ["k bigint"] + [f"{quote(f.column)} {f.db_type(connection)}" for f in model_fields]
        )
        assignments = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in model_fields)
        sql = (
            f"UPDATE {table} SET {assignments} "
            f"FROM jsonb_to_recordset(%s::jsonb) AS v({definitions}) WHERE {pk_column} = v.k"
        )
    else:
        # JSON columns are stored as text by SQLite: keep them text, not parsed JSON.
        assignments = ", ".join(
            f"{quote(f.column)} = "
            + (
                f"json(json_extract(v.value, '$.{f.column}'))"
                if f.get_internal_type() == "JSONField"
                else f"json_extract(v.value, '$.{f.column}')"
            )
            for f in model_fields
        )
        sql = (
            f"UPDATE {table} SET {assignments} FROM json_each(%s) AS v "
            f"WHERE {pk_column} = json_extract(v.value, '$.k')"
        )

    def prep(field, value):
        # Django's own conversion (its datetime text on SQLite, say); JSON stays a structure.
        if value is None or field.get_internal_type() == "JSONField":
            return value
        return field.get_db_prep_save(value, connection)

    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            batch = objects[start : start + batch_size]
            rows = [
                {"k": obj.pk, **{f.column: prep(f, getattr(obj, f.attname)) for f in model_fields}}
                for obj in batch
            ]
            cursor.execute(sql, [json.dumps(rows, default=_json_default, ensure_ascii=False)])
            written += len(batch)
    return written
