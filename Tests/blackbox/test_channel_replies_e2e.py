"""Channel replies end to end (SPEC §6, issue #7): a Slack-shaped message signed as Slack signs,
the agent's reply posted to a fake Slack Web API on this machine through the credential proxy
with the real bot token (which never reaches the container), and an approval card whose click
counts only for a listed approver.

Same requirements as test_agent_e2e.py (Docker, the agent image, the scripted model).
"""
from __future__ import annotations

import http.server
import json
import secrets
import threading
import time
import urllib.parse

import requests
from slack_sdk.signature import SignatureVerifier

from test_agent_e2e import _docker, stack  # noqa: F401  (stack is a fixture)
from test_proxy_e2e import CURL, RecordingUpstream, _api, _pending_approval

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
APPROVER = "U0APPROVER1"
THREAD_TS = "1700000000.000100"


class FakeSlackAPI:
    """The Slack Web API's `chat.postMessage` and `chat.update` on 127.0.0.1: records each
    request and answers `{"ok": true, "ts": …}` with a fresh ts per message."""

    def __init__(self):
        seen = self.seen = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                seen.append({"path": self.path, "headers": dict(self.headers), "json": body})
                answer = json.dumps({"ok": True, "channel": body.get("channel"),
                                     "ts": body.get("ts") or f"1700000001.{len(seen):06d}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, predicate, what: str, log, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for request in list(self.seen):
                if predicate(request):
                    return request
            time.sleep(0.1)
        raise AssertionError(f"the fake Slack API never got {what}: {self.seen}\n{log()[-4000:]}")

    def close(self):
        self.server.shutdown()


def _signed_post(s, channel: str, body: bytes, content_type: str) -> requests.Response:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    return requests.post(f"{s.base_url}/webhooks/slack/{channel}", data=body, timeout=10, headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature})


def _slack_message(text: str) -> bytes:
    return json.dumps({
        "token": "XXYYZZ", "team_id": "T123ABC456", "api_app_id": "A123ABC456", "type": "event_callback",
        "event_id": "Ev0REPLIES1", "event_time": int(time.time()),
        "event": {"type": "app_mention", "user": "U061F7AUR", "text": f"<@U0LAN0Z89> {text}", "ts": THREAD_TS,
                  "channel": "C123ABC456", "event_ts": THREAD_TS},
    }).encode()


def _click(approval: str, user: str, card_ts: str) -> bytes:
    payload = {
        "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": "T123ABC456"},
        "api_app_id": "A123ABC456", "team": {"id": "T123ABC456", "domain": "example"},
        "container": {"type": "message", "message_ts": card_ts, "channel_id": "C123ABC456", "is_ephemeral": False},
        "channel": {"id": "C123ABC456", "name": "eng"}, "trigger_id": "1.2.3",
        "message": {"type": "message", "ts": card_ts, "bot_id": "B0LAN0Z89", "text": "Approval requested"},
        "actions": [{"action_id": f"approve:{approval}", "block_id": "warden_approval", "value": approval,
                     "type": "button", "action_ts": str(time.time())}],
    }
    return ("payload=" + urllib.parse.quote(json.dumps(payload))).encode()


def test_a_slack_message_gets_the_agents_reply_and_an_approval_card_only_an_approver_can_decide(stack):
    bot_token = "xoxb-" + secrets.token_hex(20)
    slack, upstream = FakeSlackAPI(), RecordingUpstream()
    post = f"{CURL} -X POST --data 'deploy=1' http://127.0.0.1:{upstream.port}/v1/deploys"
    script = {"turns": [{"text": "On it, deploying now.", "tool_calls": [{"name": "bash", "input": {"command": post}}]},
                        {"text": "Deployed."}]}
    s = stack(script, "--approval-timeout", "120", "--run-timeout", "300", "--idle-timeout", "300")
    try:
        signing = _api(s, "POST", "/v1/credentials", {
            "name": "slack-signing", "hosts": ["hooks.example.com"], "secret": SIGNING_SECRET,
            "inject": {"header": "Authorization", "template": "Bearer {secret}"}})
        # The bot token's credential names `localhost`, the fake's host: the outbound client
        # dials a loopback address only for a host the credential names exactly.
        bot = _api(s, "POST", "/v1/credentials", {
            "name": "slack-bot", "hosts": ["localhost"], "placeholder": "xoxb-placeholder", "secret": bot_token,
            "inject": {"header": "Authorization", "template": "Bearer {secret}"}})
        assert signing.status_code == 201 and bot.status_code == 201, (signing.text, bot.text)
        channel = _api(s, "POST", "/v1/channels", {
            "platform": "slack", "name": "e2e", "verification_credential_id": signing.json()["id"],
            "bot_credential_id": bot.json()["id"], "approvers": [APPROVER],
            "settings": {"api_base_url": f"http://localhost:{slack.port}", "bot_ids": ["U0LAN0Z89"]}})
        assert channel.status_code == 201, channel.text
        channel = channel.json()["id"]
        assert _api(s, "POST", "/v1/rules", {"host": "127.0.0.1", "action": "approve"}).status_code == 201

        delivered = _signed_post(s, channel, _slack_message("please deploy"), "application/json")
        assert delivered.status_code == 200, delivered.text
        sessions = [x for x in _api(s, "GET", "/v1/sessions", limit=100).json()["data"] if x["channel"] == channel]
        assert len(sessions) == 1, sessions
        session = sessions[0]["id"]

        # The held request's card in the thread, with both buttons carrying the approval id, sent
        # with the real token the proxy injected.
        held = _pending_approval(s, session, set())
        card = slack.wait_for(lambda r: "blocks" in r["json"] and r["path"].endswith("chat.postMessage"), "the card", s.log)
        buttons = card["json"]["blocks"][-1]["elements"]
        assert [b["action_id"] for b in buttons] == [f"approve:{held['id']}", f"deny:{held['id']}"], buttons
        assert card["json"]["channel"] == "C123ABC456" and card["json"]["thread_ts"] == THREAD_TS, card
        assert card["headers"].get("Authorization") == f"Bearer {bot_token}", card["headers"]
        card_ts = f"1700000001.{slack.seen.index(card) + 1:06d}"

        # A click by someone not among the channel's approvers changes nothing.
        refused = _signed_post(s, channel, _click(held["id"], "U0INTRUDER1", card_ts), "application/x-www-form-urlencoded")
        assert refused.status_code == 200, refused.text
        time.sleep(1)
        assert _api(s, "GET", f"/v1/approvals/{held['id']}").json()["status"] == "pending"
        assert upstream.seen == [], "nothing leaves before an approver decides"

        # The approver's click approves it: the held request reaches its upstream, the card says so.
        approved = _signed_post(s, channel, _click(held["id"], APPROVER, card_ts), "application/x-www-form-urlencoded")
        assert approved.status_code == 200, approved.text
        decided = _api(s, "GET", f"/v1/approvals/{held['id']}").json()
        assert decided["status"] == "approved" and decided["decision"]["by"] == f"slack:{APPROVER}", decided
        update = slack.wait_for(lambda r: r["path"] == "/api/chat.update", "the card's update", s.log)
        assert update["json"]["ts"] == card_ts and update["json"]["text"].startswith("✅ Approved"), update
        # The agent's answer, in the thread, with the real token.
        # (the agent's final message gathers the run's text: "On it, deploying now.\n\nDeployed.")
        reply = slack.wait_for(lambda r: r["json"].get("text", "").endswith("Deployed."), "the agent's reply", s.log)
        assert reply["path"] == "/api/chat.postMessage", reply
        assert reply["headers"].get("Authorization") == f"Bearer {bot_token}", reply["headers"]
        assert reply["json"]["channel"] == "C123ABC456" and reply["json"]["thread_ts"] == THREAD_TS, reply
        deadline = time.monotonic() + 30
        while not upstream.seen and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(upstream.seen) == 1 and upstream.seen[0]["body"] == b"deploy=1", upstream.seen

        # The bot token exists only on warden's side of the proxy: not in the container.
        container = s.container(session)
        assert bot_token not in _docker("inspect", container)
        found = _docker("exec", "-i", container, "sh", "-c",
                        "grep -rlsF -D skip -f - /proc/[0-9]*/environ /proc/[0-9]*/cmdline / "
                        "--exclude-dir=proc --exclude-dir=sys --exclude-dir=dev 2>/dev/null; true",
                        stdin=bot_token + "\n")
        assert found.strip() == "", f"the bot token is in the container: {found}"
        assert bot_token not in s.log(), "the bot token is in warden's log"
        for path in s.data_dir.rglob("*"):
            if path.is_file() and not path.is_symlink():
                assert bot_token.encode() not in path.read_bytes(), f"the bot token is in {path}"
    finally:
        slack.close()
        upstream.close()
