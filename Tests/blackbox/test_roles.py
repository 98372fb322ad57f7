"""Every operation's `x-roles` in openapi.yaml is what the server enforces: a key of another role gets
403 `permission`, a key of a listed role gets past the role check. (Schemathesis runs as admin only.)"""
from __future__ import annotations

import re

import pytest
import requests
import yaml

from conftest import OPENAPI

ROLES = ["admin", "operator", "approver", "client"]
METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


def documented_operations():
    document = yaml.safe_load(OPENAPI.read_text())
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS and operation.get("security") != []:
                yield pytest.param(path, method, operation, id=f"{method.upper()} {path}")


@pytest.fixture(scope="module")
def role_keys(warden) -> dict[str, str]:
    keys = {"admin": warden.admin_key}
    for role in ROLES[1:]:
        response = requests.post(f"{warden.base_url}/v1/keys", json={"role": role, "name": f"blackbox {role}"},
                                 headers=warden.auth, timeout=10)
        assert response.status_code == 201, response.text
        keys[role] = response.json()["key"]
    return keys


@pytest.mark.parametrize(("path", "method", "operation"), documented_operations())
def test_roles_are_enforced_as_documented(warden, role_keys, path, method, operation):
    allowed = set(operation["x-roles"])
    assert allowed <= set(ROLES) and "admin" in allowed
    assert ("403" in operation["responses"]) == (allowed != set(ROLES)), "403 is documented iff a role is refused"
    url = warden.base_url + re.sub(r"\{[^}]+\}", "blackbox_unknown", path)
    for role in ROLES:
        body = {} if method in ("post", "patch") else None
        with requests.request(method.upper(), url, json=body, headers={"Authorization": f"Bearer {role_keys[role]}"},
                              stream=True, timeout=10) as response:  # the event routes stream: read only the head
            status = response.status_code
            error = response.json()["error"] if status >= 400 else None
        if role in allowed:
            assert status not in (401, 403), f"{role}: {status} {error}"
        else:
            assert status == 403 and error["type"] == "permission" and error["code"] == "forbidden", f"{role}: {status} {error}"
