"""Review URLs: queue, review pages and decisions, tasks, spot checks, overview, notifications."""

from django.urls import path

from projects.review.views import evaluation, notifications, overview, queue, spot_checks, tasks

app_name = "review"

urlpatterns = [
    path("", queue.queue, name="queue"),
    path("bulk-approve/", queue.bulk_approve, name="evaluation_bulk_approve"),
    path("bulk-publish/", queue.bulk_publish, name="evaluation_bulk_publish"),
    path("evaluations/<int:pk>/", evaluation.evaluation_detail, name="evaluation_detail"),
    path(
        "evaluations/<int:pk>/history/",
        evaluation.evaluation_history_view,
        name="evaluation_history",
    ),
    path(
        "evaluations/<int:pk>/department-approve/",
        evaluation.department_approve,
        name="evaluation_department_approve",
    ),
    path(
        "evaluations/<int:pk>/department-return/",
        evaluation.department_return,
        name="evaluation_department_return",
    ),
    path(
        "evaluations/<int:pk>/finance-approve/",
        evaluation.finance_approve,
        name="evaluation_finance_approve",
    ),
    path(
        "evaluations/<int:pk>/finance-return/",
        evaluation.finance_return,
        name="evaluation_finance_return",
    ),
    path("evaluations/<int:pk>/reopen/", evaluation.reopen, name="evaluation_reopen"),
    path("evaluations/<int:pk>/publish/", evaluation.publish, name="evaluation_publish"),
    path(
        "indicators/<int:pk>/target/",
        evaluation.indicator_target_edit,
        name="indicator_target_edit",
    ),
    path("tasks/", tasks.task_list, name="task_list"),
    path("tasks/issue/", tasks.task_issue, name="task_issue"),
    path("tasks/<int:pk>/extend/", tasks.task_extend, name="task_extend"),
    path("tasks/<int:pk>/remind/", tasks.task_remind, name="task_remind"),
    path("spot-checks/", spot_checks.spot_check_list, name="spot_check_list"),
    path("spot-checks/draw/", spot_checks.spot_check_draw_view, name="spot_check_draw"),
    path("spot-checks/<int:pk>/", spot_checks.spot_check_detail, name="spot_check_detail"),
    path("spot-checks/items/<int:pk>/", spot_checks.spot_check_item, name="spot_check_item"),
    path("overview/", overview.overview, name="overview"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
]
