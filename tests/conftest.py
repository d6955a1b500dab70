from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client

from hospops import celery_app, roles

PASSWORD = "Correct-Horse-Battery-9"


def make_user(username: str, *role_names: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    # get_or_create: transactional tests flush the groups that the data migration made.
    user.groups.set([Group.objects.get_or_create(name=name)[0] for name in role_names])
    return user


@pytest.fixture
def admin_user(db) -> User:
    return make_user("admin1", roles.ADMINISTRATOR)


@pytest.fixture
def scheduler_user(db) -> User:
    return make_user("scheduler1", roles.SCHEDULER)


@pytest.fixture
def supply_user(db) -> User:
    return make_user("supply1", roles.SUPPLY_MANAGER)


@pytest.fixture
def billing_user(db) -> User:
    return make_user("billing1", roles.BILLING_REVIEWER)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(admin_user) -> Client:
    return logged_in(admin_user)


@pytest.fixture
def scheduler_client(scheduler_user) -> Client:
    return logged_in(scheduler_user)


@pytest.fixture
def supply_client(supply_user) -> Client:
    return logged_in(supply_user)


@pytest.fixture
def billing_client(billing_user) -> Client:
    return logged_in(billing_user)


# --- services: a real Celery worker and headless Chromium ------------------------------------

REQUIRE_SERVICES = os.environ.get("HOSPOPS_REQUIRE_SERVICES") == "1"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
QUEUES = "default,forecast,solver,fraud"


def skip_or_fail(reason: str) -> None:
    """CI sets HOSPOPS_REQUIRE_SERVICES=1 so that a missing service fails instead of skipping."""
    if REQUIRE_SERVICES:
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def tasks_in_process():
    """Tests run tasks in-process unless they start a real worker (see ``celery_worker``)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = previous


def worker_database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        skip_or_fail("a real worker needs a shared database: set DATABASE_URL to PostgreSQL")
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def wait_for_worker(name: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"celery worker exited early:\n{log_path.read_text()[-3000:]}")
        if celery_app.control.ping(destination=[name], timeout=1.0):
            return
    pytest.fail(f"celery worker did not answer within 90 s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A real ``celery worker`` process on every queue, against the real broker and test DB."""
    broker = settings.CELERY_BROKER_URL
    if not broker:
        skip_or_fail("set CELERY_BROKER_URL to run the real-worker tests")
    database_url = worker_database_url()
    celery_app.control.purge()
    name = f"pytest-{uuid.uuid4().hex[:8]}@localhost"
    log_path = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": broker}
    command = [sys.executable, "-m", "celery", "-A", "hospops", "worker", "-Q", QUEUES]
    command += ["-c", "2", "-n", name, "--without-gossip", "--without-mingle", "-l", "INFO"]
    with log_path.open("w") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    celery_app.conf.task_always_eager = False
    try:
        wait_for_worker(name, process, log_path)
        yield process
    finally:
        celery_app.conf.task_always_eager = True
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        connection.close()


def wait_for_job(job, worker: subprocess.Popen, timeout: float = 180) -> None:
    """Poll a JobRun until it finishes; fail early if the worker process died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return
        if worker.poll() is not None:
            pytest.fail("the celery worker died while the job ran")
        time.sleep(0.5)
    pytest.fail(f"{job} did not finish within {timeout} s")


@pytest.fixture
def browser(monkeypatch):
    """Headless Debian Chromium driven by Playwright (no browser download).

    Request the fixtures that write test data before this one: ORM calls made while
    Playwright's event loop runs keep their connection open past the test database.
    """
    if not Path(CHROMIUM).exists():
        skip_or_fail("install Debian's chromium package to run the browser tests")
    # Playwright's sync API runs an event loop in this thread; the ORM calls are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="session")
def django_db_modify_db_settings():
    """No persistent connections in tests: live-server threads would keep the test DB open."""
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
