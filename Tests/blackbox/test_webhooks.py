"""Outbound webhooks from the outside: a webhook pointing at a Python HTTP server on 127.0.0.1 gets
a run's `run.failed` (runs fail at once here: there is no Docker) as a Standard Webhooks request
whose signature Python's own hmac verifies, retried with the same `webhook-id` after a 500; the
secret is shown once; bad input is a 400 that stores nothing.

This module starts its own warden: the shared one's run queue may be long after schemathesis, and
schemathesis's webhooks would receive these events too. `approval.requested` needs the proxy and an
agent container, so it is covered by the Swift tests (WebhooksTests) instead."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator

from conftest import OPENAPI, _stop, start_warden


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    warden = start_warden(tmp_path_factory.mktemp("webhooks"))
    try:
        yield warden
    finally:
        _stop(warden.process)


@pytest.fixture
def api(server):
    with requests.Session() as session:
        session.headers.update(server.auth)
        yield session


@pytest.fixture(scope="module")
def components() -> dict:
    return yaml.safe_load(OPENAPI.read_text())["components"]


def validate(components: dict, name: str, instance) -> None:
    Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": components}).validate(instance)


class Receiver:
    """An endpoint that records each request and answers `statuses` in turn, then 200."""

    def __init__(self, statuses: list[int]):
        self.requests: list[dict] = []
        self.statuses = list(statuses)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with receiver.lock:
                    receiver.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/hooks?token=blackbox"

    def about(self, run_id: str) -> list[dict]:
        with self.lock:
            return [r for r in self.requests if json.loads(r["body"])["data"].get("id") == run_id]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    endpoint = Receiver([500])
    yield endpoint
    endpoint.close()


def signature_is_valid(secret: str, request: dict) -> bool:
    """The Standard Webhooks check, as a receiver writes it."""
    headers = {name.lower(): value for name, value in request["headers"].items()}
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + request["body"]
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, candidate) for candidate in headers["webhook-signature"].split(" "))


def test_a_failed_run_is_delivered_signed_and_retried_after_a_500(server, api, receiver, components):
    created = api.post(f"{server.base_url}/v1/webhooks", json={"url": receiver.url, "events": ["run.failed"]}, timeout=10)
    assert created.status_code == 201, created.text
    webhook = created.json()
    validate(components, "Webhook", webhook)

    session = api.post(f"{server.base_url}/v1/sessions", json={"title": "webhooks"}, timeout=10).json()
    posted = api.post(f"{server.base_url}/v1/sessions/{session['id']}/messages", json={"content": "hi"}, timeout=10)
    assert posted.status_code == 201, posted.text
    run_id = posted.json()["run"]["id"]

    # The first attempt gets a 500; the retry comes about 5 s later (the standard schedule).
    deadline = time.monotonic() + 90
    while len(receiver.about(run_id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    attempts = receiver.about(run_id)
    assert len(attempts) == 2, f"{len(attempts)} attempts; warden's log:\n{server.log()[-3000:]}"
    for attempt in attempts:
        assert attempt["path"] == "/hooks?token=blackbox"
        assert attempt["headers"]["Content-Type"] == "application/json"
        assert signature_is_valid(webhook["secret"], attempt)
        assert attempt["headers"]["webhook-timestamp"].isdigit()
    assert attempts[0]["headers"]["webhook-id"] == attempts[1]["headers"]["webhook-id"]
    assert attempts[0]["body"] == attempts[1]["body"]
    payload = json.loads(attempts[0]["body"])
    assert set(payload) == {"type", "timestamp", "data"} and payload["type"] == "run.failed"
    validate(components, "Run", payload["data"])
    assert payload["data"]["status"] == "failed" and payload["data"]["session_id"] == session["id"]

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = api.get(f"{server.base_url}/v1/webhooks/{webhook['id']}/deliveries", timeout=10).json()
        if log["data"] and log["data"][0]["status"] == "delivered":
            break
        time.sleep(0.2)
    validate(components, "WebhookDeliveryList", log)
    entry = log["data"][0]
    assert entry["id"] == attempts[0]["headers"]["webhook-id"]
    assert (entry["status"], entry["attempts"], entry["last_status_code"]) == ("delivered", 2, 200)
    assert api.delete(f"{server.base_url}/v1/webhooks/{webhook['id']}", timeout=10).status_code == 200


def test_the_secret_is_shown_once(server, api, components):
    url = f"{server.base_url}/v1/webhooks"
    body = {"url": "https://hooks.example.com/in", "events": ["approval.requested", "approval.resolved"],
            "description": "blackbox"}
    key = {"Idempotency-Key": f"blackbox-{uuid.uuid4()}"}
    first = api.post(url, json=body, headers=key, timeout=10)
    assert first.status_code == 201, first.text
    created = first.json()
    assert created["secret"].startswith("whsec_") and len(base64.b64decode(created["secret"][6:])) == 32
    replay = api.post(url, json=body, headers=key, timeout=10)
    assert replay.status_code == 201 and replay.headers["Idempotent-Replayed"] == "true"
    without = {name: value for name, value in created.items() if name != "secret"}
    assert replay.json() == without
    fetched = api.get(f"{url}/{created['id']}", timeout=10)
    assert fetched.status_code == 200 and fetched.json() == without
    listed = api.get(url, params={"limit": 100}, timeout=10).json()
    validate(components, "WebhookList", listed)
    assert without in listed["data"] and all("secret" not in webhook for webhook in listed["data"])
    assert created["secret"] not in api.get(f"{server.base_url}/v1/audit", params={"limit": 100}, timeout=10).text

    deleted = api.delete(f"{url}/{created['id']}", timeout=10)
    assert deleted.status_code == 200 and deleted.json() == {"id": created["id"], "object": "webhook", "deleted": True}
    assert api.get(f"{url}/{created['id']}", timeout=10).json()["error"]["code"] == "webhook_not_found"


@pytest.mark.parametrize(("body", "param"), [
    ({"events": ["run.failed"]}, "url"),
    ({"url": "hooks.example.com/in", "events": ["run.failed"]}, "url"),
    ({"url": "https://user@hooks.example.com/", "events": ["run.failed"]}, "url"),
    ({"url": "https://hooks.example.com/#frag", "events": ["run.failed"]}, "url"),
    ({"url": "https://hooks.example.com", "events": []}, "events"),
    ({"url": "https://hooks.example.com", "events": ["run.failed", "message.created"]}, "events[1]"),
    ({"url": "https://hooks.example.com", "events": ["run.failed"], "description": "x" * 501}, "description"),
])
def test_bad_input_is_400_and_stores_nothing(server, api, body, param):
    url = f"{server.base_url}/v1/webhooks"
    before = api.get(url, params={"limit": 100}, timeout=10).json()["data"]
    response = api.post(url, json=body, timeout=10)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["type"] == "invalid_request" and error["param"] == param, error
    assert api.get(url, params={"limit": 100}, timeout=10).json()["data"] == before
