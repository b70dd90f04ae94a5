"""Saves under real SQLite lock contention: they wait their turn or answer 503, never 500.

Each test copies the test database's schema into a SQLite file in its own temp folder and points
this thread's connection (and each helper thread's) at it, with a busy timeout far shorter than
the settings' 20 s, so contention that would take 20 s in production takes a fraction of a second
here. A holder keeps a write transaction open for longer than that timeout, either in this process
(through the backend, so it waits in the same write queue as the save) or on a bare sqlite3
connection, which is what another process (the demo's db_worker) looks like to this one.
"""

from __future__ import annotations

import copy
import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import connection, connections, transaction
from django.db.backends.sqlite3 import base as stock_sqlite
from django.test import Client
from django.urls import include, path, reverse

from projects.models import Evaluation, Membership
from selfeval.sqlite import base as queued_sqlite
from tests import factories as f
from tests.projects.test_filing_support import business_env, form_data

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the write queue belongs to the SQLite backend"
)

BUSY_TIMEOUT = 0.2  # seconds SQLite polls for the lock before "database is locked"
QUEUE_TIMEOUT = 5.0  # seconds a writer waits in this process's queue before the same error
HOLD = 1.0  # seconds a holder keeps its write transaction: five busy timeouts
BUSY_PAGE = "系统繁忙，请稍后重试"


def _session_view(request):
    """A page that only writes the session, which Django stores after the view has returned."""
    from django.http import HttpResponse

    request.session["seen"] = True
    return HttpResponse("ok")


urlpatterns = [path("test-session/", _session_view), path("", include("selfeval.urls"))]


@contextmanager
def on_file(db_path, *, backend=queued_sqlite, **options):
    """This thread's default connection on the SQLite file, with the settings' OPTIONS and
    `options`; the thread's previous connection comes back afterwards."""
    settings_dict = copy.deepcopy(connections.settings["default"])
    settings_dict["NAME"] = str(db_path)
    settings_dict["OPTIONS"] = {
        "timeout": BUSY_TIMEOUT,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        **({"queue_timeout": QUEUE_TIMEOUT} if backend is queued_sqlite else {}),
        **options,
    }
    wrapper = backend.DatabaseWrapper(settings_dict, alias="default")
    previous = connections["default"]
    connections["default"] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        connections["default"] = previous


@pytest.fixture
def db_file(transactional_db, tmp_path):
    """A SQLite file with the test database's schema; no test transaction holds the queue."""
    target = tmp_path / "selfeval.sqlite3"
    connection.ensure_connection()
    copy_to = sqlite3.connect(target)
    connection.connection.backup(copy_to)
    copy_to.close()
    return target


@pytest.fixture
def filing(db_file):
    """A filer and seed 001's business-environment filing, stored in the file."""
    with on_file(db_file):
        region = f.RegionFactory(name="淮北市相山区", code="340603")
        department = f.DepartmentFactory(region=region, name="相山区人民政府办公室", code="A")
        unit = f.UnitFactory(department=department, name="相山区人民政府办公室", code="A0")
        filer = f.UserFactory(username="alice")
        f.membership(filer, Membership.Role.FILER, unit=unit)
        evaluation = business_env(unit)
    return filer, evaluation


def _client(db_file, filer) -> Client:
    # raise_request_exception=False: a server error must show as the 500 a user would get.
    client = Client(raise_request_exception=False)
    with on_file(db_file):
        client.force_login(filer)
    return client


def _hold_in_process(db_file, seconds: float, holding: threading.Event) -> threading.Thread:
    """A thread of this process that keeps a write transaction open for `seconds`."""

    def run():
        with on_file(db_file), transaction.atomic():
            Membership.objects.update(role=Membership.Role.FILER)  # a real write: the lock
            holding.set()
            time.sleep(seconds)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@contextmanager
def held_by_another_process(db_file, seconds: float):
    """A bare sqlite3 connection, outside this process's write queue, holding the write lock."""
    holder = sqlite3.connect(db_file, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE projects_membership SET role = role")
    release = threading.Timer(seconds, holder.execute, ["COMMIT"])
    release.start()
    try:
        yield
    finally:
        release.join()
        holder.close()


def _goal(db_file, evaluation) -> str:
    with on_file(db_file):
        return Evaluation.objects.get(pk=evaluation.pk).goal_actual


def _save(db_file, client, evaluation, goal, **headers):
    with on_file(db_file):
        data = form_data(evaluation, **{"ev-goal_actual": goal})
        url = reverse("projects:evaluation_edit", args=[evaluation.pk])
        started = time.perf_counter()
        response = client.post(url, data, **headers)
        return response, time.perf_counter() - started


def test_a_save_waits_for_a_write_held_longer_than_the_busy_timeout_and_succeeds(db_file, filing):
    filer, evaluation = filing
    client = _client(db_file, filer)
    holding = threading.Event()
    holder = _hold_in_process(db_file, HOLD, holding)
    assert holding.wait(5)

    response, waited = _save(db_file, client, evaluation, "全年支付经费38.76万元（排队后保存）")
    holder.join()

    assert response.status_code == 302
    # It really met the held lock (five busy timeouts long) and waited its turn behind it.
    assert waited > HOLD / 2
    assert _goal(db_file, evaluation) == "全年支付经费38.76万元（排队后保存）"


def test_the_same_contention_without_the_queue_answers_503_not_500(db_file, filing):
    """Django's own backend polls only for the busy timeout: the lock error becomes the page."""
    filer, evaluation = filing
    client = _client(db_file, filer)
    holding = threading.Event()
    holder = _hold_in_process(db_file, HOLD, holding)
    assert holding.wait(5)

    with on_file(db_file, backend=stock_sqlite):
        data = form_data(evaluation, **{"ev-goal_actual": "不会保存"})
        response = client.post(reverse("projects:evaluation_edit", args=[evaluation.pk]), data)
    holder.join()

    assert response.status_code == 503
    assert BUSY_PAGE in response.content.decode()
    assert _goal(db_file, evaluation) != "不会保存"


def test_a_lock_held_by_another_process_past_the_timeout_answers_503_then_the_resend_saves(
    db_file, filing
):
    filer, evaluation = filing
    client = _client(db_file, filer)
    before = _goal(db_file, evaluation)

    with held_by_another_process(db_file, HOLD):
        response, waited = _save(db_file, client, evaluation, "第一次提交")
        autosave, _ = _save(db_file, client, evaluation, "第一次提交", HTTP_HX_REQUEST="true")

    assert (response.status_code, autosave.status_code) == (503, 503)
    assert waited >= BUSY_TIMEOUT
    assert response["Retry-After"] == "5"
    assert BUSY_PAGE in response.content.decode()
    assert _goal(db_file, evaluation) == before
    # Sent again once the lock is free, the same form saves.
    response, _ = _save(db_file, client, evaluation, "第一次提交")
    assert response.status_code == 302
    assert _goal(db_file, evaluation) == "第一次提交"


def test_a_writer_that_waits_longer_than_the_queue_timeout_answers_503(db_file, filing):
    filer, evaluation = filing
    client = _client(db_file, filer)
    holding = threading.Event()
    holder = _hold_in_process(db_file, HOLD, holding)
    assert holding.wait(5)

    with on_file(db_file, queue_timeout=0.3):
        data = form_data(evaluation, **{"ev-goal_actual": "等不到"})
        response = client.post(reverse("projects:evaluation_edit", args=[evaluation.pk]), data)
    holder.join()

    assert response.status_code == 503
    assert BUSY_PAGE in response.content.decode()


def test_signing_in_while_another_process_holds_the_lock_answers_503(db_file, filing):
    client = Client(raise_request_exception=False)
    with on_file(db_file):
        filer, _ = filing
        filer.set_password("demo2024!")
        filer.save()
    with held_by_another_process(db_file, HOLD), on_file(db_file):
        response = client.post(reverse("login"), {"username": "alice", "password": "demo2024!"})
    assert response.status_code == 503


@pytest.mark.parametrize("debug", [False, True])
def test_a_session_stored_after_the_view_answers_503_when_the_database_is_busy(
    db_file, settings, debug
):
    """The session is written by its middleware after the view; DEBUG (the demo) included."""
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = debug
    client = Client(raise_request_exception=False)
    with held_by_another_process(db_file, HOLD), on_file(db_file):
        response = client.get("/test-session/")
    assert response.status_code == 503
    assert BUSY_PAGE in response.content.decode()


def test_concurrent_saves_of_one_process_never_meet_the_busy_timeout(db_file, filing):
    """Four threads save four filings four times each with a 50 ms busy timeout: every write of
    a save (its transaction, the history rows, the session) queues, so none waits on SQLite."""
    filer, first = filing
    with on_file(db_file):
        unit = first.project.unit
        evaluations = [first] + [business_env(unit) for _ in range(3)]
    statuses, errors = [], []

    def saver(evaluation):
        try:
            client = _client(db_file, filer)
            with on_file(db_file, timeout=0.05):
                for round_ in range(4):
                    data = form_data(evaluation, **{"ev-goal_actual": f"第{round_}轮"})
                    url = reverse("projects:evaluation_edit", args=[evaluation.pk])
                    statuses.append(client.post(url, data).status_code)
        except Exception as exc:  # noqa: BLE001 - reported below with the statuses
            errors.append(exc)

    threads = [threading.Thread(target=saver, args=(e,)) for e in evaluations]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == [] and statuses == [302] * 16
    with on_file(db_file):
        assert set(
            Evaluation.objects.filter(pk__in=[e.pk for e in evaluations]).values_list(
                "goal_actual", flat=True
            )
        ) == {"第3轮"}


def test_the_busy_page_answers_first_of_all_middleware(settings):
    assert settings.MIDDLEWARE[0] == "selfeval.middleware.DatabaseBusyMiddleware"


def test_the_write_queue_serves_writers_in_arrival_order_and_skips_one_that_gave_up():
    queue = queued_sqlite.WriteQueue()
    assert queue.acquire(timeout=0)
    served = []

    def writer(n: int, timeout: float):
        if queue.acquire(timeout):
            served.append(n)
            queue.release()

    threads = []
    for n in range(5):
        waiting = len(queue._waiters)
        # Writer 2 gives up before the lock is released; the others wait for it.
        thread = threading.Thread(target=writer, args=(n, 0.05 if n == 2 else 5))
        thread.start()
        threads.append(thread)
        if n == 2:
            thread.join()
        while n != 2 and len(queue._waiters) == waiting:
            time.sleep(0.001)  # until this writer stands in the queue
    queue.release()
    for thread in threads:
        thread.join()

    assert served == [0, 1, 3, 4]
    assert queue.acquire(timeout=0)  # free again once the last writer left
