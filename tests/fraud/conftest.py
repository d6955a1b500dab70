import datetime as dt
import io

import pytest
from django.test import Client

from fraud import services
from fraud.engine import synthetic
from fraud.engine.claims import write_claims


@pytest.fixture(scope="session")
def small_claims_csv() -> str:
    """About a thousand synthetic claim lines with every pattern injected."""
    data = synthetic.generate(
        n_providers=7, start=dt.date(2025, 1, 1), days=21, seed=5, volume_scale=0.4
    )
    buffer = io.StringIO()
    write_claims(data.lines, buffer)
    return buffer.getvalue()


@pytest.fixture
def imported(db, small_claims_csv):
    return services.import_claims(io.StringIO(small_claims_csv), today=dt.date(2025, 12, 31))


@pytest.fixture
def scored(imported):
    job = services.run_scoring()
    assert job.status == "succeeded", job.error
    return job


def quiet_login(user) -> Client:
    """A logged-in client. The login audit receiver of the platform skeleton expects
    ``request.user``, which ``force_login``'s bare request lacks; it is detached meanwhile."""
    from django.contrib.auth.signals import user_logged_in

    from hospops.signals import audit_login

    client = Client()
    user_logged_in.disconnect(audit_login)
    try:
        client.force_login(user)
    finally:
        user_logged_in.connect(audit_login)
    return client


@pytest.fixture
def billing_client(billing_user) -> Client:
    return quiet_login(billing_user)


@pytest.fixture
def scheduler_client(scheduler_user) -> Client:
    return quiet_login(scheduler_user)


@pytest.fixture
def admin_client_(admin_user) -> Client:
    return quiet_login(admin_user)
