"""`manage.py load_demo`: the seed documents, demo regions and one account per role (idempotent)."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from projects.demo import ACCOUNTS, DEMO_PASSWORD, REGIONS
from projects.importer import import_file
from projects.models import Department, Evaluation, Membership, Region, Unit

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class Command(BaseCommand):
    help = "载入演示数据（来自公开发布的自评表）和演示账号；重复执行结果相同"

    def handle(self, *args, **options):
        files = sorted(FIXTURES.glob("*.json"))
        evaluations = [import_file(path) for path in files]
        with transaction.atomic():
            self._regions()
            self._accounts()
        from scoring.services import score_evaluation

        for evaluation in Evaluation.objects.filter(pk__in=[e.pk for e in evaluations]):
            if not evaluation.is_frozen:
                score_evaluation(evaluation)
        self.stdout.write(
            f"已载入 {len(files)} 份自评（fixtures/）。演示账号（密码均为 {DEMO_PASSWORD}）："
        )
        for account in ACCOUNTS:
            role = Membership.Role(account.role).label
            self.stdout.write(f"  {account.username:<16} {role:<10} {account.scope}")
        self.stdout.write(f"  {'admin':<16} {'系统管理员':<10} /admin/")

    def _regions(self):
        for demo in REGIONS:
            Region.objects.filter(name=demo.name).update(
                code=demo.code, finance_bureau=demo.finance_bureau
            )

    def _accounts(self):
        User = get_user_model()
        admin, _ = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        admin.set_password(DEMO_PASSWORD)
        admin.save()
        for account in ACCOUNTS:
            user, _ = User.objects.get_or_create(username=account.username)
            user.first_name = account.full_name
            user.set_password(DEMO_PASSWORD)
            user.save()
            scope = _scope(account)
            Membership.objects.get_or_create(user=user, role=account.role, **scope)


def _scope(account) -> dict:
    """Resolve an account's scope name to the region, department or unit it names."""
    if account.role == Membership.Role.FINANCE_REVIEWER:
        return {"region": Region.objects.get(name=account.scope)}
    if account.role == Membership.Role.DEPARTMENT_REVIEWER:
        return {"department": Department.objects.get(name=account.scope)}
    return {"unit": Unit.objects.get(name=account.scope, is_department=True)}
