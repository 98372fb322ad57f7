"""openapi.yaml is a valid OpenAPI 3.1 document, keeps the conventions of SPEC §3, and says what the
server does where schemathesis cannot tell (the one-time key secret)."""
from __future__ import annotations

import re
import uuid

import pytest
import requests
import yaml
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.readers import read_from_filename

from conftest import OPENAPI

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}
HEALTH = {"/healthz", "/readyz"}
# Called by chat platforms, which sign their deliveries instead of sending an API key, and dedupe
# by their own delivery ids instead of an Idempotency-Key.
WEBHOOKS = {"/webhooks/{platform}/{channel_id}"}
LIST_PARAMETERS = {"limit", "after", "before", "order"}


@pytest.fixture(scope="module")
def document() -> dict:
    spec, _ = read_from_filename(str(OPENAPI))
    return spec


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def resolve(document: dict, node: dict) -> dict:
    while isinstance(node, dict) and "$ref" in node:
        target = document
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def parameters(document: dict, path: str, operation: dict) -> dict[tuple[str, str], dict]:
    found = {}
    for parameter in document["paths"][path].get("parameters", []) + operation.get("parameters", []):
        parameter = resolve(document, parameter)
        found[(parameter["in"], parameter["name"])] = parameter
    return found


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_document_keeps_the_shape_the_swift_parity_test_reads(document):
    # OpenAPIParityTests.swift reads path keys at two spaces and methods at four, without YAML.
    found, in_paths, current = set(), False, None
    for line in OPENAPI.read_text().split("\n"):
        if line and not line.startswith(" "):
            in_paths = line.startswith("paths:")
            continue
        if not in_paths:
            continue
        if line.startswith("  /") and line.endswith(":"):
            current = line[2:-1]
        elif line.startswith("    ") and not line.startswith("     ") and line.endswith(":") and current:
            key = line.strip()[:-1]
            if key in METHODS:
                found.add(f"{key.upper()} {current}")
    assert found == {f"{method.upper()} {path}" for path, method, _ in operations(document)}


def test_operation_ids_are_unique(document):
    ids = [operation["operationId"] for _, _, operation in operations(document)]
    assert len(ids) == len(set(ids))


def test_security_bearer_everywhere_but_health(document):
    assert document["security"] == [{"bearer": []}]
    scheme = document["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    for path, method, operation in operations(document):
        if path in HEALTH | WEBHOOKS:
            assert operation.get("security") == [], f"{method} {path} must be unauthenticated"
        else:
            assert "security" not in operation, f"{method} {path} must use the global bearer scheme"
            assert "401" in operation["responses"], f"{method} {path} lacks 401"


def test_every_response_declares_request_id_and_errors_use_the_envelope(document):
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            response = resolve(document, response)
            assert "X-Request-Id" in response.get("headers", {}), f"{method} {path} {status} lacks X-Request-Id"
            if int(status) >= 400:
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"


def test_every_post_takes_an_idempotency_key(document):
    for path, method, operation in operations(document):
        if method == "post" and path not in WEBHOOKS:
            assert ("header", "Idempotency-Key") in parameters(document, path, operation), f"POST {path}"
            success = next(s for s in operation["responses"] if s.startswith("2"))
            headers = resolve(document, operation["responses"][success])["headers"]
            assert "Idempotent-Replayed" in headers, f"POST {path} {success}"


def test_lists_take_the_pagination_parameters_and_answer_with_the_envelope(document):
    for path, method, operation in operations(document):
        content = operation["responses"].get("200", {}).get("content", {}).get("application/json")
        if not content:
            continue
        schema = resolve(document, content["schema"])
        is_list = any(part.get("$ref") == "#/components/schemas/ListEnvelope" for part in schema.get("allOf", []))
        names = {name for (where, name) in parameters(document, path, operation) if where == "query"}
        assert is_list == LIST_PARAMETERS.issubset(names), f"{method} {path}"
        if is_list:
            limit = resolve(document, parameters(document, path, operation)[("query", "limit")])["schema"]
            assert (limit["minimum"], limit["maximum"]) == (1, 100)


def test_event_routes_are_documented_as_event_streams(document):
    for path in ("/v1/events", "/v1/sessions/{id}/events"):
        operation = document["paths"][path]["get"]
        assert list(operation["responses"]["200"]["content"]) == ["text/event-stream"]
        assert ("header", "Last-Event-ID") in parameters(document, path, operation)


def test_document_loads_with_a_plain_yaml_parser():
    # No merge keys or anchors that only some YAML parsers understand.
    text = OPENAPI.read_text()
    assert "<<:" not in text and not re.search(r"[&*][A-Za-z]\w*\s*$", text, re.M)
    assert yaml.safe_load(text)["openapi"] == "3.1.0"


# --- What the document says about the server, checked live -------------------------------------


def test_key_secret_is_shown_once_and_not_in_an_idempotent_replay(warden, api):
    url = f"{warden.base_url}/v1/keys"
    headers = {"Idempotency-Key": f"blackbox-{uuid.uuid4()}"}
    first = api.post(url, json={"role": "client", "name": "blackbox"}, headers=headers, timeout=10)
    assert first.status_code == 201, first.text
    assert "Idempotent-Replayed" not in first.headers
    created = first.json()
    assert re.fullmatch(r"wk_[A-Za-z0-9_-]+", created["key"])
    assert created["prefix"] == created["key"][:10]

    replay = api.post(url, json={"role": "client", "name": "blackbox"}, headers=headers, timeout=10)
    assert replay.status_code == 201
    assert replay.headers.get("Idempotent-Replayed") == "true"
    replayed = replay.json()
    assert "key" not in replayed
    assert replayed == {name: value for name, value in created.items() if name != "key"}

    # The secret works, and is listed nowhere.
    me = api.get(f"{warden.base_url}/v1/sessions", headers={"Authorization": f"Bearer {created['key']}"}, timeout=10)
    assert me.status_code == 200
    listed = api.get(url, params={"limit": 100}, timeout=10).json()["data"]
    assert all("key" not in key for key in listed)
    assert created["id"] in {key["id"] for key in listed}


def test_request_id_is_echoed_or_generated(warden):
    given = requests.get(f"{warden.base_url}/healthz", headers={"X-Request-Id": "blackbox-1"}, timeout=10)
    assert given.headers["X-Request-Id"] == "blackbox-1"
    generated = requests.get(f"{warden.base_url}/v1/sessions", timeout=10)
    assert generated.status_code == 401
    assert generated.headers["WWW-Authenticate"] == "Bearer"
    assert re.fullmatch(r"req_[0-9a-v]{24}", generated.headers["X-Request-Id"])
    assert generated.json()["request_id"] == generated.headers["X-Request-Id"]


def test_idempotent_replay_and_reuse_conflict(warden, api):
    # Schemathesis gives every request its own Idempotency-Key (st_hooks.py), so the rule is checked here.
    url = f"{warden.base_url}/v1/sessions"
    key = {"Idempotency-Key": f"blackbox-{uuid.uuid4()}"}
    first = api.post(url, json={"title": "replayed"}, headers=key, timeout=10)
    assert first.status_code == 201 and "Idempotent-Replayed" not in first.headers
    replay = api.post(url, json={"title": "replayed"}, headers=key, timeout=10)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.content == first.content
    reused = api.post(url, json={"title": "another"}, headers=key, timeout=10)
    assert reused.status_code == 409
    assert reused.json()["error"] | {"message": None} == {"type": "conflict", "code": "idempotency_key_reused",
                                                          "param": "Idempotency-Key", "message": None}
    invalid = api.post(url, json={}, headers={"Idempotency-Key": "has space"}, timeout=10)
    assert invalid.status_code == 400 and invalid.json()["error"]["code"] == "invalid_idempotency_key"
