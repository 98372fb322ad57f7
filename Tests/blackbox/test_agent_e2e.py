"""End to end: the real `warden` binary, a real Docker daemon, the real agent image built by
deploy/agent-image/build.sh, and the scripted model server speaking Anthropic's wire format.

`deploy/test.sh` builds everything first and exports WARDEN_AGENT_IMAGE. These tests need a
Docker daemon and the image: in CI a missing one is a failure; elsewhere they are skipped with
a loud reason.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from conftest import BINARY, ROOT, _free_port, _generate_admin_key, _stop, _wait_until_healthy

IMAGE = os.environ.get("WARDEN_AGENT_IMAGE", "warden-agent:latest")
SCRIPTED_MODEL = Path(os.environ.get("WARDEN_SCRIPTED_MODEL", ROOT / ".build" / "debug" / "scripted-model"))
IN_CI = bool(os.environ.get("CI"))


def _docker(*args: str, check: bool = True, stdin: str | None = None) -> str:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=60, input=stdin)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def _require_docker_and_image() -> None:
    problem = None
    if shutil.which("docker") is None:
        problem = "the docker CLI is not installed"
    elif subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode != 0:
        problem = "no Docker daemon answers (bash deploy/docker.sh starts one)"
    elif subprocess.run(["docker", "image", "inspect", IMAGE], capture_output=True, timeout=30).returncode != 0:
        problem = f"the agent image {IMAGE} is not built (bash deploy/agent-image/build.sh)"
    elif not SCRIPTED_MODEL.is_file():
        problem = f"{SCRIPTED_MODEL} is not built (swift build --product scripted-model)"
    if problem is None:
        return
    if IN_CI:
        pytest.fail(f"end-to-end agent tests cannot run in CI: {problem}", pytrace=False)
    print(f"\n*** SKIPPING end-to-end agent tests: {problem} ***\n")
    pytest.skip(f"SKIPPED LOUDLY: {problem}")


@dataclass
class Stack:
    """warden + scripted model for one test."""
    base_url: str
    admin_key: str
    model_key: str
    data_dir: Path
    log_path: Path
    warden: subprocess.Popen
    model: subprocess.Popen
    args: list[str]
    env: dict[str, str]
    sessions: list[str] = field(default_factory=list)

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def create_session(self) -> str:
        response = requests.post(f"{self.base_url}/v1/sessions", json={"title": "e2e"}, headers=self.auth, timeout=10)
        assert response.status_code == 201, response.text
        self.sessions.append(response.json()["id"])
        return self.sessions[-1]

    def post(self, session: str, text: str) -> str:
        response = requests.post(f"{self.base_url}/v1/sessions/{session}/messages", json={"content": text},
                                 headers=self.auth, timeout=10)
        assert response.status_code == 201, response.text
        return response.json()["run"]["id"]

    def run(self, run_id: str) -> dict:
        response = requests.get(f"{self.base_url}/v1/runs/{run_id}", headers=self.auth, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()

    def wait_for(self, run_id: str, statuses: set[str], timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            run = self.run(run_id)
            if run["status"] in statuses:
                return run
            time.sleep(0.1)
        raise AssertionError(f"run {run_id} did not reach {statuses}: {self.run(run_id)}\nwarden log:\n{self.log()[-6000:]}")

    def containers(self, session: str) -> list[str]:
        return _docker("ps", "-q", "--filter", f"label=warden.session={session}").split()

    def container(self, session: str, timeout: float = 30) -> str:
        """The session's running container, once it runs."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if running := self.containers(session):
                return running[0]
            time.sleep(0.1)
        raise AssertionError(f"no container for {session}\n{self.log()[-4000:]}")

    def restart(self, kill: bool = False) -> None:
        if kill:
            self.warden.send_signal(signal.SIGKILL)
            self.warden.wait(timeout=15)
        else:
            _stop(self.warden)
        with open(self.log_path, "ab") as log:
            self.warden = subprocess.Popen([str(BINARY), *self.args], env=self.env, stdin=subprocess.DEVNULL,
                                           stdout=log, stderr=subprocess.STDOUT)
        assert _wait_until_healthy(self.warden, self.base_url), self.log()


@pytest.fixture
def stack(tmp_path: Path):
    """Starts the scripted model with a script, then warden pointed at it; stops both after the test."""
    _require_docker_and_image()
    started: list[Stack] = []

    def start(script: dict, *extra: str, base_url=None) -> Stack:
        script_path = tmp_path / "script.json"
        script_path.write_text(json.dumps(script))
        model = subprocess.Popen([str(SCRIPTED_MODEL), "--listen", "127.0.0.1:0", "--script", str(script_path)],
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        address = model.stdout.readline().strip()
        assert address, "the scripted model did not print its address"
        base_url = base_url(address) if base_url else f"http://{address}"
        model_key = "sk-ant-e2e-" + secrets.token_hex(16)
        admin_key = _generate_admin_key()
        port = _free_port()
        data_dir = tmp_path / "data"
        args = ["serve", "--listen", f"127.0.0.1:{port}", "--data-dir", str(data_dir), "--agent-image", IMAGE,
                "--anthropic-base-url", base_url, *extra]
        env = {**os.environ, "WARDEN_ADMIN_KEY": admin_key, "ANTHROPIC_API_KEY": model_key}
        log_path = tmp_path / "warden.log"
        with open(log_path, "wb") as log:
            warden = subprocess.Popen([str(BINARY), *args], env=env, stdin=subprocess.DEVNULL, stdout=log,
                                      stderr=subprocess.STDOUT)
        s = Stack(f"http://127.0.0.1:{port}", admin_key, model_key, data_dir, log_path, warden, model, args, env)
        started.append(s)
        assert _wait_until_healthy(warden, s.base_url), s.log()
        return s

    yield start
    for s in started:
        _stop(s.warden)
        s.model.send_signal(signal.SIGTERM)
        s.model.wait(timeout=10)
        for session in s.sessions:  # warden stops its containers on shutdown; make sure
            for container in s.containers(session):
                _docker("rm", "-f", container, check=False)


class EventCollector:
    """Reads a session's SSE stream in a thread until `run.completed` or `run.failed`."""

    def __init__(self, s: Stack, session: str):
        self.events: list[tuple[str, dict]] = []
        self.done = threading.Event()
        self.response = requests.get(f"{s.base_url}/v1/sessions/{session}/events", headers=s.auth, stream=True,
                                     timeout=(5, 120))
        assert self.response.status_code == 200
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        event_type = None
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith("event:"):
                    event_type = line[6:].strip()
                elif line.startswith("data:") and event_type:
                    self.events.append((event_type, json.loads(line[5:].strip())))
                    if event_type in ("run.completed", "run.failed"):
                        self.done.set()
                        return
        finally:
            self.done.set()

    def types(self) -> list[str]:
        return [t for t, _ in self.events]


def _hello_script() -> dict:
    return {"chunk_size": 6, "turns": [
        {"text": "I will create the file.",
         "tool_calls": [{"name": "write_file", "input": {"path": "hello.txt", "content": "hello from the agent\n"}}]},
        {"text": "Checking it.", "tool_calls": [{"name": "bash", "input": {"command": "cat hello.txt && ls -l"}}]},
        {"text": "Created hello.txt in the workspace.", "usage": {"input_tokens": 30, "output_tokens": 8}},
    ]}


def test_a_message_is_answered_by_an_agent_in_its_container(stack):
    s = stack(_hello_script())
    session = s.create_session()
    events = EventCollector(s, session)
    run_id = s.post(session, "create hello.txt")
    run = s.wait_for(run_id, {"completed", "failed"})
    assert run["status"] == "completed", f"{run}\n{s.log()[-6000:]}"
    assert events.done.wait(30)

    types = events.types()
    assert types[0:2] == ["message.created", "run.created"], types
    assert "message.delta" in types
    assert types.index("run.created") < types.index("message.delta") < types.index("run.completed")
    deltas = "".join(e["data"]["delta"]["text"] for t, e in events.events if t == "message.delta")
    assert "Created hello.txt in the workspace." in deltas

    messages = requests.get(f"{s.base_url}/v1/sessions/{session}/messages", params={"order": "asc", "limit": 100},
                            headers=s.auth, timeout=10).json()["data"]
    assistant = [m["content"][0]["text"] for m in messages if m["role"] == "assistant"]
    assert assistant[-1].endswith("Created hello.txt in the workspace."), assistant
    tools = [m["content"][0]["text"] for m in messages if m["role"] == "tool"]
    assert any(t.startswith("write_file") for t in tools) and any("hello from the agent" in t for t in tools), tools

    hello = s.data_dir / "sessions" / session / "workspace" / "hello.txt"
    assert hello.read_text() == "hello from the agent\n"


def test_the_container_has_only_loopback_and_never_sees_the_model_key(stack):
    s = stack({"turns": [{"text": "Looking around.",
                          "tool_calls": [{"name": "bash", "input": {"command": "sleep 60"}}]}]},
              "--run-timeout", "120")
    session = s.create_session()
    run_id = s.post(session, "wait a minute")
    s.wait_for(run_id, {"in_progress"})
    container = s.container(session)

    interfaces = _docker("exec", container, "cat", "/proc/net/dev")
    names = sorted(line.split(":")[0].strip() for line in interfaces.splitlines()[2:] if ":" in line)
    assert names == ["lo"], interfaces

    inspect = _docker("inspect", container)
    assert s.model_key not in inspect, "the model key is in the container's configuration"
    # The key goes in on stdin, so the search's own command line does not contain it.
    found = _docker("exec", "-i", container, "sh", "-c",
                    "grep -rlsF -f - /proc/[0-9]*/environ /proc/[0-9]*/cmdline /workspace /tmp /run/warden /etc "
                    "/usr/local 2>/dev/null; true", stdin=s.model_key + "\n")
    assert found.strip() == "", f"the model key was found in: {found}"
    env = _docker("exec", container, "cat", "/proc/1/environ")
    assert "ANTHROPIC_API_KEY=warden-placeholder" in env
    assert "SSL_CERT_FILE=/etc/warden/ca.crt" in env
    # The trust bundle: the system's CAs and Warden's proxy CA, read-only.
    bundle = _docker("exec", container, "cat", "/etc/warden/ca.crt")
    assert "# Warden proxy CA" in bundle and bundle.count("BEGIN CERTIFICATE") > 1
    assert (s.data_dir / "proxy-ca" / "ca.key").stat().st_mode & 0o777 == 0o600
    refused = subprocess.run(["docker", "exec", container, "sh", "-c", "echo x >> /etc/warden/ca.crt"],
                             capture_output=True, text=True, timeout=30)
    assert refused.returncode != 0, "the CA bundle is writable from the container"
    # The real key did reach the model, through the proxy.
    assert s.model_key not in s.log(), "the model key is in warden's log"


def test_a_hanging_run_fails_at_its_timeout_and_its_container_is_killed(stack):
    s = stack({"turns": [{"hang": True}]}, "--run-timeout", "4")
    session = s.create_session()
    run_id = s.post(session, "hang")
    run = s.wait_for(run_id, {"completed", "failed"})
    assert run["status"] == "failed"
    assert run["error"]["code"] == "run_timeout", run
    deadline = time.monotonic() + 20
    while s.containers(session) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert s.containers(session) == []


def test_killing_the_container_mid_run_fails_the_run_clearly(stack):
    s = stack({"turns": [{"hang": True}]}, "--run-timeout", "300")
    session = s.create_session()
    run_id = s.post(session, "hang")
    s.wait_for(run_id, {"in_progress"})
    _docker("kill", s.container(session))
    run = s.wait_for(run_id, {"completed", "failed"}, timeout=30)
    assert run["status"] == "failed"
    assert run["error"]["code"] == "container_exited", run
    assert "exited with status" in run["error"]["message"]


def test_max_containers_bounds_the_containers_running_at_once(stack):
    turns = [{"text": "busy for a while", "delay_ms": 2500} for _ in range(5)]
    s = stack({"turns": turns}, "--max-containers", "2")
    sessions = [s.create_session() for _ in range(5)]
    runs = [s.post(session, "work") for session in sessions]
    peak = 0
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        running = sum(len(s.containers(session)) for session in sessions)
        peak = max(peak, running)
        statuses = [s.run(r)["status"] for r in runs]
        if all(status in ("completed", "failed") for status in statuses):
            break
        time.sleep(0.1)
    assert statuses == ["completed"] * 5, [s.run(r) for r in runs]
    assert 1 <= peak <= 2, f"{peak} containers ran at once"


def test_after_warden_is_killed_the_restart_resolves_runs_and_removes_orphans(stack):
    s = stack({"turns": [{"hang": True}], "when_exhausted": {"reply": "back again"}}, "--run-timeout", "300",
              "--max-containers", "1")
    first = s.create_session()
    interrupted = s.post(first, "hang")
    s.wait_for(interrupted, {"in_progress"})
    second = s.create_session()
    queued = s.post(second, "after the restart")
    assert s.run(queued)["status"] == "queued"
    s.container(first)

    s.restart(kill=True)
    failed = s.wait_for(interrupted, {"failed", "completed"}, timeout=30)
    assert failed["status"] == "failed" and failed["error"]["code"] == "interrupted", failed
    assert s.wait_for(queued, {"completed", "failed"})["status"] == "completed"
    assert s.containers(first) == [], "the orphaned container was removed"


def _test_ca(directory: Path) -> tuple[Path, Path, Path]:
    """A CA and a leaf for 127.0.0.1 made with the openssl CLI (the ca-certificates package needs it)."""
    ca_key, ca_crt = directory / "ca.key", directory / "ca.crt"
    key, csr, crt = directory / "leaf.key", directory / "leaf.csr", directory / "leaf.crt"
    ext = directory / "leaf.ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    run = lambda *a: subprocess.run(["openssl", *a], check=True, capture_output=True, timeout=60)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", str(ca_key),
        "-out", str(ca_crt), "-days", "2", "-subj", "/CN=warden e2e upstream CA")
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", str(key), "-out", str(csr),
        "-subj", "/CN=127.0.0.1")
    run("x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key), "-CAcreateserial", "-out", str(crt),
        "-days", "2", "-extfile", str(ext))
    return ca_crt, crt, key


class TLSTerminator:
    """HTTPS in front of a plain TCP server: a stand-in for a provider's TLS endpoint."""

    def __init__(self, upstream: str, cert: Path, key: Path):
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(str(cert), str(key))
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.handshakes = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                raw, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(raw,), daemon=True).start()

    def _serve(self, raw: socket.socket) -> None:
        try:
            tls = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        self.handshakes += 1
        plain = socket.create_connection(self.upstream)

        def pump(source, sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            for s in (source, sink):
                try:
                    s.close()
                except OSError:
                    pass

        threading.Thread(target=pump, args=(plain, tls), daemon=True).start()
        pump(tls, plain)

    def close(self) -> None:
        self.listener.close()


def test_the_model_route_reaches_an_https_upstream_it_verifies(stack, tmp_path):
    if shutil.which("openssl") is None:
        pytest.fail("the openssl CLI is missing (Debian's ca-certificates package brings it)", pytrace=False)
    ca, cert, key = _test_ca(tmp_path)
    terminators = []

    def https(address: str) -> str:
        terminators.append(TLSTerminator(address, cert, key))
        return f"https://127.0.0.1:{terminators[-1].port}"

    s = stack({"turns": [{"text": "Answered over TLS."}]}, "--upstream-ca", str(ca), base_url=https)
    try:
        session = s.create_session()
        run = s.wait_for(s.post(session, "hello"), {"completed", "failed"})
        assert run["status"] == "completed", f"{run}\n{s.log()[-4000:]}"
        assert terminators[0].handshakes >= 1
    finally:
        for t in terminators:
            t.close()


def test_an_https_upstream_with_an_untrusted_certificate_fails_the_run_clearly(stack, tmp_path):
    ca, cert, key = _test_ca(tmp_path)  # not given to warden
    terminators = []

    def https(address: str) -> str:
        terminators.append(TLSTerminator(address, cert, key))
        return f"https://127.0.0.1:{terminators[-1].port}"

    s = stack({"turns": [{"text": "never seen"}]}, base_url=https)
    try:
        session = s.create_session()
        run = s.wait_for(s.post(session, "hello"), {"completed", "failed"})
        assert run["status"] == "failed"
        assert "certificate" in json.dumps(run["error"]).lower(), run
    finally:
        for t in terminators:
            t.close()


class EchoUpstream:
    """A plain HTTP server on the host's loopback that records request headers and echoes them."""

    def __init__(self):
        import http.server
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append(dict(self.headers))
                body = json.dumps(dict(self.headers)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


def test_curl_in_the_container_goes_through_the_proxy_which_injects_the_secret(stack):
    upstream = EchoUpstream()
    secret = "sk-upstream-" + secrets.token_hex(12)
    command = (f"curl -s --noproxy '' -x http://127.0.0.1:3128 -H 'Authorization: Bearer ph-echo' "
               f"http://127.0.0.1:{upstream.port}/echo")
    s = stack({"turns": [{"text": "Calling it.", "tool_calls": [{"name": "bash", "input": {"command": command}}]},
                         {"text": "Done."}]})
    try:
        post = lambda path, body: requests.post(f"{s.base_url}{path}", json=body, headers=s.auth, timeout=10)
        # Loopback is private: only a rule naming it exactly lets the proxy dial it.
        assert post("/v1/rules", {"host": "127.0.0.1", "action": "allow"}).status_code == 201
        created = post("/v1/credentials", {"name": "echo", "hosts": ["127.0.0.1"], "placeholder": "ph-echo",
                                           "inject": {"header": "Authorization", "template": "Bearer {secret}"},
                                           "secret": secret})
        assert created.status_code == 201, created.text
        assert secret not in created.text
        session = s.create_session()
        run = s.wait_for(s.post(session, "call the echo service"), {"completed", "failed"})
        assert run["status"] == "completed", f"{run}\n{s.log()[-4000:]}"

        assert upstream.seen, "the upstream was never reached"
        assert upstream.seen[-1].get("Authorization") == f"Bearer {secret}", upstream.seen[-1]
        messages = requests.get(f"{s.base_url}/v1/sessions/{session}/messages", params={"limit": 100},
                                headers=s.auth, timeout=10).text
        assert "Authorization" in messages, "the tool output (the echo) is in the transcript"
        assert secret not in messages, "the echoed secret reached the agent"
        audit = requests.get(f"{s.base_url}/v1/audit", params={"limit": 100}, headers=s.auth, timeout=10).text
        assert "proxy.request" in audit and secret not in audit
        assert secret not in s.log()
    finally:
        upstream.close()


def test_curl_in_the_container_tunnels_through_connect_to_an_allowed_host(stack):
    upstream = EchoUpstream()
    command = (f"curl -s --noproxy '' -x http://127.0.0.1:3128 --proxytunnel "
               f"-H 'X-Through: tunnel' http://127.0.0.1:{upstream.port}/echo")
    s = stack({"turns": [{"text": "Tunnelling.", "tool_calls": [{"name": "bash", "input": {"command": command}}]},
                         {"text": "Done."}]})
    try:
        rule = requests.post(f"{s.base_url}/v1/rules", json={"host": "127.0.0.1", "action": "allow"},
                             headers=s.auth, timeout=10)
        assert rule.status_code == 201, rule.text
        session = s.create_session()
        run = s.wait_for(s.post(session, "tunnel to the echo service"), {"completed", "failed"})
        assert run["status"] == "completed", f"{run}\n{s.log()[-4000:]}"
        assert upstream.seen and upstream.seen[-1].get("X-Through") == "tunnel", upstream.seen
        audit = requests.get(f"{s.base_url}/v1/audit", params={"limit": 100}, headers=s.auth, timeout=10).json()["data"]
        assert any(a["detail"].get("method") == "CONNECT" for a in audit), audit
    finally:
        upstream.close()
