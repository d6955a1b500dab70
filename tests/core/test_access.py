import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from hospops import roles

pytestmark = pytest.mark.django_db

MODULE_URLS = {
    "forecasting": "/forecasting/",
    "scheduling": "/scheduling/",
    "fraud": "/fraud/",
    "runs": "/runs/",
    "audit": "/audit/",
}


def test_role_groups_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ALL_ROLES)


@pytest.mark.parametrize("url", ["/", *MODULE_URLS.values(), "/runs/1/progress.json"])
def test_anonymous_requests_are_redirected_to_login(url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_is_public():
    assert Client().get(reverse("login")).status_code == 200


def test_administrator_sees_every_module(admin_client_):
    home = admin_client_.get("/").content.decode()
    for module, url in MODULE_URLS.items():
        assert f'data-module="{module}"' in home
        assert admin_client_.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("client_fixture", "allowed"),
    [
        ("scheduler_client", {"scheduling", "forecasting"}),
        ("supply_client", {"forecasting"}),
        ("billing_client", {"fraud"}),
    ],
)
def test_each_role_reaches_only_its_modules(request, client_fixture, allowed):
    client = request.getfixturevalue(client_fixture)
    for module, url in MODULE_URLS.items():
        expected = 200 if module in allowed else 403
        assert client.get(url).status_code == expected, (module, url)


def test_billing_reviewer_gets_403_on_scheduling(billing_client):
    response = billing_client.get("/scheduling/")
    assert response.status_code == 403
    assert b"Not allowed" in response.content


def test_user_without_role_sees_no_module(db):
    from tests.conftest import logged_in, make_user

    client = logged_in(make_user("nobody"))
    assert client.get("/").status_code == 200
    for url in MODULE_URLS.values():
        assert client.get(url).status_code == 403
