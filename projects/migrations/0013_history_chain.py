"""The hash-chained history of steps and decisions; the steps already recorded are chained."""

import django.db.models.deletion
from django.db import migrations, models


def chain_existing(apps, schema_editor):
    """Chain the steps and decisions recorded before the chain existed, oldest first."""
    from projects.ledger import backfill

    backfill(apps=apps)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0012_results"),
    ]

    operations = [
        migrations.CreateModel(
            name="HistoryEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sequence", models.PositiveBigIntegerField(verbose_name="序号")),
                ("kind", models.CharField(max_length=40, verbose_name="类别")),
                ("object_id", models.PositiveBigIntegerField(verbose_name="记录编号")),
                ("content", models.JSONField(default=dict, verbose_name="登记内容")),
                ("content_hash", models.CharField(max_length=64, verbose_name="内容哈希")),
                ("previous_hash", models.CharField(max_length=64, verbose_name="前一记录哈希")),
                ("entry_hash", models.CharField(max_length=64, verbose_name="本记录哈希")),
                (
                    "region",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="projects.region",
                        verbose_name="地区",
                    ),
                ),
            ],
            options={
                "verbose_name": "留痕链记录",
                "verbose_name_plural": "留痕链记录",
                "ordering": ["region", "sequence"],
                "indexes": [models.Index(fields=["kind", "object_id"], name="history_entry_row")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("region", "sequence"), name="one_entry_per_sequence"
                    )
                ],
            },
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
    ]
