from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client

from hospops import roles

PASSWORD = "Correct-Horse-Battery-9"


def make_user(username: str, *role_names: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD)
    user.groups.set(Group.objects.filter(name__in=role_names))
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
