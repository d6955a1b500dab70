import datetime as dt
import io

import pytest

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
