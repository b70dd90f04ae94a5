"""`manage.py queue_stale_recomputes`: after deploying a new rule-set version, queue the re-scoring
of every region and year whose open filings were scored under another version than the one now in
force for their year. Earlier years, whose version has not changed, are not touched."""

from django.core.management.base import BaseCommand
from django.db import transaction

from projects.models import Region
from scoring.recompute import queue_stale_recomputes


class Command(BaseCommand):
    help = "新规则集版本发布后，为评分所用版本已不适用的地区和年度排队重新评分"

    def handle(self, *args, **options):
        with transaction.atomic():
            queued = queue_stale_recomputes()
        if not queued:
            self.stdout.write("所有未审定自评均已按所属年度适用的规则版本评分，无需重新评分")
            return
        names = dict(Region.objects.filter(pk__in=queued).values_list("pk", "name"))
        for region_id, years in queued.items():
            listed = "、".join(str(year) for year in years)
            self.stdout.write(f"{names.get(region_id, region_id)}：已排队重新评分 {listed} 年度")
