import pytest
from django.http import HttpRequest


@pytest.fixture(autouse=True)
def login_request_has_user(monkeypatch):
    """The test client logs in with a bare HttpRequest; the login audit signal on this branch's
    base reads ``request.user`` from it. Later core code reads it with getattr, and then this
    fixture changes nothing."""
    monkeypatch.setattr(HttpRequest, "user", None, raising=False)
