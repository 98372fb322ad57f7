"""The two event routes stream as openapi.yaml says: SSE events whose `id:` resumes with `Last-Event-ID`,
whose `event:` is the type, and whose `data:` is an `Event` carrying the resource it is about.
(Schemathesis reads these streams only for a moment; this follows one session's events exactly.)"""
from __future__ import annotations

import json
import time

import pytest
import requests
import yaml
from jsonschema import Draft202012Validator

from conftest import OPENAPI

RESOURCE_BY_TYPE = {"message.created": "Message", "run.created": "Run", "run.status": "Run"}


@pytest.fixture(scope="module")
def components() -> dict:
    return yaml.safe_load(OPENAPI.read_text())["components"]


def validate(components: dict, name: str, instance) -> None:
    Draft202012Validator({"$ref": f"#/components/schemas/{name}", "components": components}).validate(instance)


def read_events(url: str, headers: dict, count: int, timeout: float = 10.0) -> tuple[list[dict], str]:
    """The first `count` events of a stream, parsed as an SSE client does, and the raw text read."""
    events, text, deadline = [], "", time.monotonic() + timeout
    with requests.get(url, headers=headers, stream=True, timeout=timeout) as response:
        assert response.status_code == 200, response.text
        assert response.headers["Content-Type"] == "text/event-stream"
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["X-Request-Id"]
        for chunk in response.iter_content(chunk_size=None, decode_unicode=True):
            text += chunk
            while "\n\n" in text and len(events) < count:
                block, text = text.split("\n\n", 1)
                fields = {}
                for line in block.split("\n"):
                    if line.startswith(":"):
                        continue
                    name, _, value = line.partition(":")
                    fields[name] = value.removeprefix(" ")
                if "data" in fields:
                    events.append(fields)
            if len(events) >= count or time.monotonic() > deadline:
                break
    return events, text


def test_session_events_match_the_document_and_resume(warden, api, components):
    session = api.post(f"{warden.base_url}/v1/sessions", json={"title": "events"}, timeout=10).json()
    posted = api.post(f"{warden.base_url}/v1/sessions/{session['id']}/messages", json={"content": "hello"}, timeout=10)
    assert posted.status_code == 201, posted.text
    run = posted.json()["run"]
    cancelled = api.post(f"{warden.base_url}/v1/runs/{run['id']}/cancel", timeout=10)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"

    url = f"{warden.base_url}/v1/sessions/{session['id']}/events"
    events, _ = read_events(url, warden.auth, count=3)
    assert [event["event"] for event in events] == ["message.created", "run.created", "run.status"]
    assert [event["id"] for event in events] == ["1", "2", "3"]
    for event in events:
        validate(components, "ServerSentEvent", event)
        data = json.loads(event["data"])
        validate(components, "Event", data)
        assert (data["type"], str(data["seq"]), data["session_id"]) == (event["event"], event["id"], session["id"])
        validate(components, RESOURCE_BY_TYPE[data["type"]], data["data"])

    # Resuming after id 2 (header, or the query fallback) starts at 3.
    resumed, _ = read_events(url, {**warden.auth, "Last-Event-ID": "2"}, count=1)
    assert [event["id"] for event in resumed] == ["3"]
    resumed, _ = read_events(f"{url}?last_event_id=2", warden.auth, count=1)
    assert [event["id"] for event in resumed] == ["3"]

    bad = api.get(url, headers={"Last-Event-ID": "not-a-number"}, timeout=10)
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "Last-Event-ID"


def test_all_events_stream_uses_global_ids(warden, api, components):
    session = api.post(f"{warden.base_url}/v1/sessions", json={"title": "global"}, timeout=10).json()
    api.post(f"{warden.base_url}/v1/sessions/{session['id']}/messages", json={"content": "hi"}, timeout=10)
    events, _ = read_events(f"{warden.base_url}/v1/events", warden.auth, count=2)
    assert len(events) == 2
    ids = [int(event["id"]) for event in events]
    assert ids == sorted(ids) and ids[0] >= 1
    for event in events:
        validate(components, "ServerSentEvent", event)
        validate(components, "Event", json.loads(event["data"]))
    after_first, _ = read_events(f"{warden.base_url}/v1/events", {**warden.auth, "Last-Event-ID": str(ids[0])}, count=1)
    assert [int(event["id"]) for event in after_first] == [ids[1]]
