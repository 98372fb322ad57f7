"""Chat platform webhooks against the real server, signed with the platforms' own libraries:
Slack's `slack_sdk` signature verifier (its `generate_signature` is the v0 HMAC Slack computes),
and PyNaCl's Ed25519 for Discord. What they sign must be accepted; what they refuse, refused."""
from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from nacl.signing import SigningKey
from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def _credential(api, warden, secret: str) -> str:
    response = api.post(f"{warden.base_url}/v1/credentials", json={
        "name": f"channel-{uuid.uuid4().hex[:8]}", "hosts": ["hooks.example.com"],
        "inject": {"header": "Authorization", "template": "Bearer {secret}"}, "secret": secret,
    }, timeout=10)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _channel(api, warden, body: dict) -> str:
    response = api.post(f"{warden.base_url}/v1/channels", json=body, timeout=10)
    assert response.status_code == 201, response.text
    assert SIGNING_SECRET not in response.text
    return response.json()["id"]


def _messages_from(api, warden, channel: str) -> list[dict]:
    """Every message of every session the channel created (sessions carry `channel`)."""
    sessions = api.get(f"{warden.base_url}/v1/sessions", params={"limit": 100}, timeout=10).json()["data"]
    found = []
    for session in (s for s in sessions if s["channel"] == channel):
        found += api.get(f"{warden.base_url}/v1/sessions/{session['id']}/messages", timeout=10).json()["data"]
    return found


def _slack_event(event_id: str, ts: str, text: str) -> bytes:
    return json.dumps({
        "token": "XXYYZZ", "team_id": "T123ABC456", "api_app_id": "A123ABC456", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()),
        "event": {"type": "app_mention", "user": "U061F7AUR", "text": f"<@U0LAN0Z89> {text}", "ts": ts,
                  "channel": "C123ABC456", "event_ts": ts},
    }).encode()


@pytest.fixture(scope="module")
def slack_channel(warden):
    with requests.Session() as api:
        api.headers.update(warden.auth)
        secret_id = _credential(api, warden, SIGNING_SECRET)
        return _channel(api, warden, {"platform": "slack", "name": "blackbox", "verification_credential_id": secret_id,
                                      "settings": {"bot_ids": ["U0LAN0Z89"]}})


def _post_slack(warden, channel: str, body: bytes, secret: str = SIGNING_SECRET, timestamp: str | None = None):
    timestamp = timestamp or str(int(time.time()))
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return requests.post(f"{warden.base_url}/webhooks/slack/{channel}", data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature})


def test_slack_delivery_signed_by_slack_sdk_is_stored_once(warden, api, slack_channel):
    body = _slack_event("Ev0BLACKBOX1", "1700000000.000100", "what broke the build?")
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    # What slack_sdk itself accepts is what Warden must accept.
    assert SignatureVerifier(SIGNING_SECRET).is_valid(body=body, timestamp=timestamp, signature=signature)
    response = requests.post(f"{warden.base_url}/webhooks/slack/{slack_channel}", data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature})
    assert response.status_code == 200, response.text
    messages = _messages_from(api, warden, slack_channel)
    assert [(m["source"], m["author"], m["external_id"]) for m in messages] == [
        ("slack", "U061F7AUR", "C123ABC456:1700000000.000100")]
    assert messages[0]["content"] == [{"type": "text", "text": "what broke the build?"}]

    retried = _post_slack(warden, slack_channel, body)
    assert retried.status_code == 200
    assert len(_messages_from(api, warden, slack_channel)) == 1, "a retried delivery creates nothing"


def test_slack_deliveries_slack_sdk_rejects_are_rejected(warden, api, slack_channel):
    before = len(_messages_from(api, warden, slack_channel))
    body = _slack_event("Ev0BLACKBOX2", "1700000001.000100", "tampered")
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    tampered = body.replace(b"tampered", b"tampereD")
    assert not SignatureVerifier(SIGNING_SECRET).is_valid(body=tampered, timestamp=timestamp, signature=signature)
    response = requests.post(f"{warden.base_url}/webhooks/slack/{slack_channel}", data=tampered, timeout=10, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "signature_invalid"

    stale = str(int(time.time()) - 600)
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=stale, body=body)
    assert not SignatureVerifier(SIGNING_SECRET).is_valid(body=body, timestamp=stale, signature=signature)
    assert _post_slack(warden, slack_channel, body, timestamp=stale).status_code == 401
    assert _post_slack(warden, slack_channel, body, secret="another-apps-secret").status_code == 401
    assert len(_messages_from(api, warden, slack_channel)) == before


def test_slack_url_verification_is_answered_with_the_challenge(warden, slack_channel):
    body = json.dumps({"token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    response = _post_slack(warden, slack_channel, body)
    assert response.status_code == 200
    assert response.text == "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"


@pytest.fixture(scope="module")
def discord(warden):
    key = SigningKey.generate()
    with requests.Session() as api:
        api.headers.update(warden.auth)
        channel = _channel(api, warden, {"platform": "discord", "name": "blackbox-discord", "settings": {
            "public_key": key.verify_key.encode().hex(), "bot_ids": ["11869105236066"]}})
    return channel, key


def _post_discord(warden, channel: str, key: SigningKey, body: bytes):
    timestamp = str(int(time.time()))
    signature = key.sign(timestamp.encode() + body).signature.hex()
    return requests.post(f"{warden.base_url}/webhooks/discord/{channel}", data=body, timeout=10, headers={
        "Content-Type": "application/json", "X-Signature-Ed25519": signature, "X-Signature-Timestamp": timestamp})


def _discord_command(interaction_id: str, prompt: str) -> bytes:
    return json.dumps({
        "type": 2, "token": "A_UNIQUE_TOKEN", "id": interaction_id, "application_id": "11869105236066", "version": 1,
        "guild_id": "290926798626357999", "channel_id": "645027906669510667",
        "member": {"user": {"id": "53908232506183680", "username": "Mason"}, "roles": [], "permissions": "0"},
        "data": {"id": "771825006014889984", "name": "ask", "type": 1,
                 "options": [{"type": 3, "name": "prompt", "value": prompt}]},
    }).encode()


def test_discord_ping_signed_with_pynacl_is_answered(warden, discord):
    channel, key = discord
    ping = json.dumps({"application_id": "11869105236066", "id": "787053080478613555", "token": "t", "type": 1,
                       "version": 1}).encode()
    response = _post_discord(warden, channel, key, ping)
    assert response.status_code == 200
    assert response.json() == {"type": 1}


def test_discord_command_signed_with_pynacl_is_stored_and_another_key_is_refused(warden, api, discord):
    channel, key = discord
    accepted = _post_discord(warden, channel, key, _discord_command("786008729715212338", "why is it slow?"))
    assert accepted.status_code == 200, accepted.text
    messages = _messages_from(api, warden, channel)
    assert [(m["source"], m["external_id"]) for m in messages] == [("discord", "786008729715212338")]

    refused = _post_discord(warden, channel, SigningKey.generate(), _discord_command("786008729715212999", "forged"))
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "signature_invalid"
    assert len(_messages_from(api, warden, channel)) == 1


def test_webhooks_need_no_api_key_and_unknown_channels_are_404(warden):
    response = requests.post(f"{warden.base_url}/webhooks/slack/chn_00000000000000000000000000", data=b"{}",
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "channel_not_found"
