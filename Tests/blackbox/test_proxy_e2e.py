"""End to end through the credential proxy (SPEC §5): curl in a real agent container, through the
relay and the session's proxy.sock, to upstreams on the host's loopback — HTTPS intercepted with
the real secret injected, requests held for a person's approval, and a leak check of everything
warden and the container keep afterwards.

Same requirements as test_agent_e2e.py (Docker, the agent image, the scripted model).
"""
from __future__ import annotations

import http.server
import json
import secrets
import sqlite3
import ssl
import threading
import time
from pathlib import Path

import requests

from test_agent_e2e import _docker, _test_ca, stack  # noqa: F401  (stack is a fixture)

CURL = "curl -s -m 120 --noproxy '' -x http://127.0.0.1:3128"


class RecordingUpstream:
    """An HTTP(S) server on 127.0.0.1 that records each request (headers and body) and answers
    with a JSON echo of its headers, as an API that reflects credentials back would."""

    def __init__(self, tls: tuple[Path, Path] | None = None):
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                seen.append({"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body})
                echo = json.dumps({"headers": dict(self.headers)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(echo)))
                self.end_headers()
                self.wfile.write(echo)

            do_GET = do_POST = do_PUT = _answer

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def _api(s, method: str, path: str, body: dict | None = None, **params) -> requests.Response:
    return requests.request(method, f"{s.base_url}{path}", json=body, params=params or None, headers=s.auth,
                            timeout=10)


def _bash_turns(*commands: str) -> dict:
    turns = [{"text": f"Step {i}.", "tool_calls": [{"name": "bash", "input": {"command": c}}]}
             for i, c in enumerate(commands)]
    return {"turns": turns + [{"text": "Done."}]}


def _tool_outputs(s, session: str) -> list[str]:
    messages = _api(s, "GET", f"/v1/sessions/{session}/messages", order="asc", limit=100).json()["data"]
    return [m["content"][0]["text"] for m in messages if m["role"] == "tool"]


def _pending_approval(s, session: str, seen: set[str], timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = _api(s, "GET", "/v1/approvals", status="pending", session_id=session).json()["data"]
        fresh = [a for a in pending if a["id"] not in seen]
        if fresh:
            seen.add(fresh[0]["id"])
            return fresh[0]
        time.sleep(0.1)
    raise AssertionError(f"no pending approval appeared\n{s.log()[-4000:]}")


def _intercepted_https_stack(stack, tmp_path: Path, secret: str, *extra: str):
    ca, cert, key = _test_ca(tmp_path)
    upstream = RecordingUpstream(tls=(cert, key))
    command = (f"{CURL} -H 'Authorization: Bearer ph-echo' -H 'X-Leak-Probe: ph-echo' "
               f"https://127.0.0.1:{upstream.port}/v1/echo")
    s = stack(_bash_turns(command), "--upstream-ca", str(ca), "--idle-timeout", "300", *extra)
    assert _api(s, "POST", "/v1/rules", {"host": "127.0.0.1", "action": "allow"}).status_code == 201
    created = _api(s, "POST", "/v1/credentials", {
        "name": "echo", "hosts": ["127.0.0.1"], "placeholder": "ph-echo", "secret": secret,
        "inject": {"header": "Authorization", "template": "Bearer {secret}"}})
    assert created.status_code == 201, created.text
    return s, upstream


def test_curl_over_https_is_intercepted_and_only_the_upstream_sees_the_real_secret(stack, tmp_path):
    secret = "sk-live-" + secrets.token_hex(16)
    s, upstream = _intercepted_https_stack(stack, tmp_path, secret)
    try:
        session = s.create_session()
        run = s.wait_for(s.post(session, "call the echo service over https"), {"completed", "failed"})
        assert run["status"] == "completed", f"{run}\n{s.log()[-4000:]}"

        assert upstream.seen, f"the HTTPS upstream was never reached\n{s.log()[-4000:]}"
        headers = upstream.seen[-1]["headers"]
        assert headers.get("Authorization") == f"Bearer {secret}", headers
        # SPEC §5: a placeholder in any header is replaced on the credential's own hosts.
        assert headers.get("X-Leak-Probe") == secret, headers
        outputs = _tool_outputs(s, session)
        assert any('"headers"' in o for o in outputs), f"curl's output (the echo) is in the transcript: {outputs}"
        assert not any(secret in o for o in outputs), "the echoed secret reached the agent"
        audit = _api(s, "GET", "/v1/audit", kind="proxy.request", limit=100).json()["data"]
        intercepted = [a["detail"] for a in audit if a["detail"].get("path") == "/v1/echo"]
        assert intercepted and intercepted[0]["credential"] == "echo" and intercepted[0]["status"] == 200, audit
        metrics = _api(s, "GET", "/metrics").text
        assert 'warden_proxy_requests_total{route="intercepted",status="200",outcome="relayed"} 1' in metrics
    finally:
        upstream.close()


def test_held_requests_wait_for_a_person_approve_sends_the_same_body_deny_and_expiry_never_do(stack, tmp_path):
    upstream = RecordingUpstream()
    payload = '{"amount": 4200, "to": "acct_9", "memo": "naïve"}'
    post = (f"{CURL} -X POST -H 'Content-Type: application/json' --data-binary @/workspace/payment.json "
            f"http://127.0.0.1:{upstream.port}/v1/payments")
    script = {"turns": [
        {"text": "Writing it.", "tool_calls": [{"name": "write_file",
                                                 "input": {"path": "payment.json", "content": payload}}]},
        {"text": "Paying.", "tool_calls": [{"name": "bash", "input": {"command": post}}]},
        {"text": "Again.", "tool_calls": [{"name": "bash", "input": {"command": post}}]},
        {"text": "Once more.", "tool_calls": [{"name": "bash", "input": {"command": post}}]},
        {"text": "Done."}]}
    s = stack(script, "--approval-timeout", "8", "--run-timeout", "300")
    try:
        assert _api(s, "POST", "/v1/rules", {"host": "127.0.0.1", "action": "approve"}).status_code == 201
        session = s.create_session()
        run_id = s.post(session, "pay three times")
        seen: set[str] = set()

        first = _pending_approval(s, session, seen)
        assert first["kind"] == "http_request" and first["request"]["method"] == "POST", first
        assert first["request"]["path"] == "/v1/payments" and "naïve" in first["request"]["body_preview"], first
        assert upstream.seen == [], "nothing leaves before a person decides"
        decided = _api(s, "POST", f"/v1/approvals/{first['id']}/decision", {"decision": "approve"})
        assert decided.status_code == 200, decided.text

        second = _pending_approval(s, session, seen)
        assert _api(s, "POST", f"/v1/approvals/{second['id']}/decision",
                    {"decision": "deny", "reason": "twice is enough"}).status_code == 200

        third = _pending_approval(s, session, seen)  # left alone: it expires after 8 s
        run = s.wait_for(run_id, {"completed", "failed"}, timeout=120)
        assert run["status"] == "completed", f"{run}\n{s.log()[-4000:]}"

        assert len(upstream.seen) == 1, upstream.seen
        assert upstream.seen[0]["body"] == payload.encode(), "the upstream got exactly the held body"
        outputs = [o for o in _tool_outputs(s, session) if o.startswith("bash")]
        assert "approval_denied" in outputs[1] and "twice is enough" in outputs[1], outputs
        assert "approval_expired" in outputs[2], outputs
        statuses = {a["id"]: a["status"] for a in _api(s, "GET", "/v1/approvals", session_id=session).json()["data"]}
        assert statuses == {first["id"]: "approved", second["id"]: "denied", third["id"]: "expired"}, statuses
    finally:
        upstream.close()


def test_a_restart_turns_a_held_request_into_an_expired_approval(stack, tmp_path):
    upstream = RecordingUpstream()
    s = stack(_bash_turns(f"{CURL} -X PUT --data 'x' http://127.0.0.1:{upstream.port}/held"), "--run-timeout", "300")
    try:
        assert _api(s, "POST", "/v1/rules", {"host": "127.0.0.1", "action": "approve"}).status_code == 201
        session = s.create_session()
        s.post(session, "hold one")
        held = _pending_approval(s, session, set())
        s.restart(kill=True)
        after = _api(s, "GET", f"/v1/approvals/{held['id']}").json()
        assert after["status"] == "expired", after
        assert _api(s, "POST", f"/v1/approvals/{held['id']}/decision", {"decision": "approve"}).status_code == 409
        assert upstream.seen == []
    finally:
        upstream.close()


def test_after_a_full_run_no_secret_is_anywhere_but_the_upstream(stack, tmp_path):
    """SPEC §7: no secret in a container (env, files, process list), a log, the database, an API
    response or the audit log — checked after a run that used the model key and an injected
    credential over intercepted HTTPS."""
    secret = "sk-leakcheck-" + secrets.token_hex(16)
    s, upstream = _intercepted_https_stack(stack, tmp_path, secret)
    try:
        session = s.create_session()
        run = s.wait_for(s.post(session, "call the echo service"), {"completed", "failed"})
        assert run["status"] == "completed", f"{run}\n{s.log()[-4000:]}"
        assert upstream.seen and upstream.seen[-1]["headers"].get("Authorization") == f"Bearer {secret}"
        needles = {"credential secret": secret, "model key": s.model_key}

        container = s.container(session)  # still warm (--idle-timeout 300)
        inspect = _docker("inspect", container)
        for what, needle in needles.items():
            assert needle not in inspect, f"the {what} is in docker inspect"
            found = _docker("exec", "-i", container, "sh", "-c",
                            "grep -rlsF -D skip -f - /proc/[0-9]*/environ /proc/[0-9]*/cmdline / "
                            "--exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null; true",
                            stdin=needle + "\n")
            assert found.strip() == "", f"the {what} is in the container: {found}"
            assert needle not in _docker("logs", container) + _docker("top", container), f"the {what} is in its logs"
            assert needle not in s.log(), f"the {what} is in warden's log"

        responses = []
        for path, params in [(f"/v1/sessions/{session}", {}), (f"/v1/sessions/{session}/messages", {"limit": 100}),
                             (f"/v1/runs/{run['id']}", {}), ("/v1/audit", {"limit": 100}),
                             ("/v1/credentials", {}), ("/v1/rules", {}), ("/v1/approvals", {}), ("/v1/keys", {}),
                             ("/metrics", {}), ("/v1/sessions", {"limit": 100})]:
            response = _api(s, "GET", path, **params)
            assert response.status_code == 200, (path, response.text)
            responses.append(response.text)
        events = requests.get(f"{s.base_url}/v1/sessions/{session}/events", headers=s.auth, stream=True, timeout=(5, 3))
        chunks = []
        try:
            for chunk in events.iter_content(None):
                chunks.append(chunk)
        except requests.exceptions.RequestException:
            pass  # the stream stays open; the read timeout ends it
        events.close()
        assert b"run.completed" in b"".join(chunks)
        responses.append(b"".join(chunks).decode(errors="replace"))
        for what, needle in needles.items():
            assert not any(needle in r for r in responses), f"the {what} is in an API response"

        database = s.data_dir / "warden.db"
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
            audit = " ".join(str(row) for row in db.execute("SELECT * FROM audit"))
        for what, needle in needles.items():
            assert needle not in audit, f"the {what} is in the audit table"
            for path in s.data_dir.rglob("*"):
                if path.is_file() and not path.is_symlink():
                    assert needle.encode() not in path.read_bytes(), f"the {what} is in {path}"
    finally:
        upstream.close()
