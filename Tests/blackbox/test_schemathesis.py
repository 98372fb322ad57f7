"""Schemathesis against the live server: every operation of openapi.yaml, every check.

Runs the CLI (`st run`), which drives all of its phases (examples, coverage, fuzzing, stateful via
the document's links) and every check it has, by default:
not_a_server_error, status_code_conformance, content_type_conformance,
response_headers_conformance, response_schema_conformance, negative_data_rejection,
positive_data_acceptance, missing_required_header, unsupported_method, allow_header_conformance,
use_after_free, ensure_resource_availability, ignored_auth. Settings: schemathesis.toml;
rules the document cannot express: st_hooks.py.

The seed is fixed, so CI runs the same cases every time. To explore: WARDEN_BLACKBOX_SEED=random (a new
seed per run, printed at the end; WARDEN_BLACKBOX_SEED=<seed> reproduces it), WARDEN_BLACKBOX_EXAMPLES
(examples per operation, 25 by default) and WARDEN_BLACKBOX_TIME_LIMIT (300 s by default), e.g.
    WARDEN_BLACKBOX_SEED=random WARDEN_BLACKBOX_EXAMPLES=200 WARDEN_BLACKBOX_TIME_LIMIT=900 \
        python3 -m pytest -q Tests/blackbox -k schemathesis
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

from conftest import OPENAPI

METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

HERE = Path(__file__).resolve().parent
CONFIG = HERE / "schemathesis.toml"
# Seconds; the default run takes about 1.5 minutes on two cores. Raise it with more examples.
TIME_LIMIT = int(os.environ.get("WARDEN_BLACKBOX_TIME_LIMIT", "300"))
SEED = os.environ.get("WARDEN_BLACKBOX_SEED", "20261124")


def test_schemathesis_finds_no_failures(warden, tmp_path):
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "st_hooks",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])),
        "WARDEN_BLACKBOX_KEY_ID": warden.admin_key_id(),
    }
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "--no-color",
        "run", str(OPENAPI),
        "--url", warden.base_url,
        "--header", f"Authorization: Bearer {warden.admin_key}",
        "--report", "junit", "--report-dir", str(tmp_path),
    ]
    if SEED != "random":
        command += ["--seed", SEED]
    if examples := os.environ.get("WARDEN_BLACKBOX_EXAMPLES"):
        command += ["--max-examples", examples]
    try:
        result = subprocess.run(command, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True, timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired as timeout:
        output = timeout.output.decode(errors="replace") if isinstance(timeout.output, bytes) else timeout.output or ""
        raise AssertionError(f"schemathesis ran past {TIME_LIMIT} s:\n{output[-8000:]}") from None
    output = result.stdout
    (tmp_path / "schemathesis.txt").write_text(output)
    summary = output[output.rfind("SUMMARY"):] if "SUMMARY" in output else output[-3000:]
    print(summary)  # shown with -rA or on failure

    assert result.returncode == 0, f"schemathesis failed (exit {result.returncode}):\n{output[-20000:]}\n\nserver log tail:\n{warden.log()[-3000:]}"
    total = sum(1 for item in yaml.safe_load(OPENAPI.read_text())["paths"].values() for key in item if key in METHODS)
    assert re.search(rf"Tested: {total}\b", summary), f"not all {total} operations were tested:\n{summary}"
