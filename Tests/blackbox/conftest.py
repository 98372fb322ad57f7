"""Black-box fixtures: the real `warden` binary, serving on a free port with a fresh data directory.

Nothing is built here: `deploy/test.sh` (or `swift build --product warden`) builds
`.build/debug/warden` first; `WARDEN_BINARY` points elsewhere if needed.
"""
from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[2]
OPENAPI = ROOT / "openapi.yaml"
BINARY = Path(os.environ.get("WARDEN_BINARY", ROOT / ".build" / "debug" / "warden"))
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0


@dataclass
class Warden:
    base_url: str
    admin_key: str
    data_dir: Path
    log_path: Path
    process: subprocess.Popen

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_key}"}

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def admin_key_id(self) -> str:
        """The id of the admin key the server made from WARDEN_ADMIN_KEY."""
        response = requests.get(f"{self.base_url}/v1/keys", params={"limit": 100}, headers=self.auth, timeout=10)
        response.raise_for_status()
        prefix = self.admin_key[:10]
        ids = [key["id"] for key in response.json()["data"] if key["prefix"] == prefix and key["role"] == "admin"]
        assert len(ids) == 1, f"expected one admin key with prefix {prefix!r}, got {ids}"
        return ids[0]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _generate_admin_key() -> str:
    """40 characters, shaped like the keys Warden makes (`wk_` + URL-safe base64)."""
    return ("wk_" + secrets.token_urlsafe(30))[:40]


def _wait_until_healthy(process: subprocess.Popen, base_url: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            if requests.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return False


def _stop(process: subprocess.Popen) -> int | None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT)
    return process.returncode


def start_warden(root: Path) -> Warden:
    """Starts `warden serve` with a fresh data directory under `root`; the caller stops it with `_stop`."""
    if not BINARY.is_file() or not os.access(BINARY, os.X_OK):
        pytest.fail(f"{BINARY} is missing; build it first with `swift build --product warden`", pytrace=False)
    admin_key = _generate_admin_key()
    env = {**os.environ, "WARDEN_ADMIN_KEY": admin_key}
    # A free port can be taken between probing and binding; try a few.
    for attempt in range(3):
        data_dir = root / f"data-{attempt}"
        log_path = root / f"warden-{attempt}.log"
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                # No Docker for the API tests: schemathesis posts many messages, and each would
                # start a container. Their runs fail at once with a clear error instead; the
                # agent tests (test_agent_e2e.py) start their own warden with Docker.
                [str(BINARY), "serve", "--listen", f"127.0.0.1:{port}", "--data-dir", str(data_dir),
                 "--docker-socket", str(root / "no-docker.sock")],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=root,
            )
        server = Warden(base_url, admin_key, data_dir, log_path, process)
        if _wait_until_healthy(process, base_url):
            return server
        _stop(process)
    pytest.fail(f"warden did not become healthy; its log:\n{server.log()}", pytrace=False)


@pytest.fixture(scope="session")
def warden(tmp_path_factory: pytest.TempPathFactory):
    """A running server; yields a `Warden`. Stopped with SIGTERM at the end of the session."""
    server = start_warden(tmp_path_factory.mktemp("warden"))
    try:
        yield server
    finally:
        status = _stop(server.process)
        if status not in (0, None):
            print(f"warden exited with status {status}; its log:\n{server.log()[-4000:]}")


@pytest.fixture(scope="session")
def admin_key(warden: Warden) -> str:
    return warden.admin_key


@pytest.fixture
def api(warden: Warden):
    """A requests session against the server, authenticated as admin."""
    with requests.Session() as session:
        session.headers.update(warden.auth)
        yield session
