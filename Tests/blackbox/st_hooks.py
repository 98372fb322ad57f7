"""Schemathesis hooks for the black-box run (loaded through SCHEMATHESIS_HOOKS).

Each hook encodes a rule of the API that OpenAPI 3.1 cannot express (the document states it in
words), so that schemathesis neither calls schema-valid what the server rightly refuses nor locks
itself out. `before_call` runs for every request of every phase (the generation-time `filter_*`
hooks do not reach the coverage phase), so the rules live there.

Only positive cases (data the document calls valid) are adjusted. Negative ones must be rejected
whatever else they carry, and editing them would make schemathesis revalidate the case as positive
and, for a "missing Authorization" case, put the header back while still expecting a 401.
"""
import ipaddress
import os
import re
import uuid

import schemathesis

# The admin key the run authenticates with (set by test_schemathesis.py). Revoking it is a
# legitimate call (an id from `GET /v1/keys` fed to `DELETE /v1/keys/{id}`), but it would turn
# the rest of the run into 401s; such a call is sent for an unknown key instead (404).
PROTECTED_KEY_ID = os.environ.get("WARDEN_BLACKBOX_KEY_ID", "")
UNKNOWN_KEY_ID = "key_00000000000000000000000000"
VALID_IDEMPOTENCY_KEY = re.compile(r"[!-~]{1,255}")
# Expressions that certainly fire: macros, or five fields of numbers in range, `*` and `*/n`.
CRON = re.compile(r"@(hourly|daily|midnight|weekly|monthly|yearly|annually)"
                  r"|(\*|[0-5]?[0-9]|\*/[1-9]) (\*|1?[0-9]|2[0-3]) \* \* \*")
# Zones every tz database has (the server takes Area/Location names, UTC and GMT).
ZONES = {"UTC", "GMT", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe"}


@schemathesis.hook
def before_call(context, case, kwargs):
    operation = f"{case.operation.method.upper()} {case.operation.path}"
    if (PROTECTED_KEY_ID and operation == "DELETE /v1/keys/{id}"
            and (case.path_parameters or {}).get("id") == PROTECTED_KEY_ID):
        case.path_parameters["id"] = UNKNOWN_KEY_ID

    query = case.query if isinstance(case.query, dict) else None
    headers = case.headers if case.headers is not None else {}

    # The event routes read `Last-Event-ID` and fall back to `?last_event_id=` only without the
    # header: a reconnecting EventSource sends the header with the original URL, whose query value
    # is stale, so with both present the query value is ignored. Send the one the server reads.
    if query and "last_event_id" in query and "Last-Event-ID" in headers:
        if _is_event_id(headers["Last-Event-ID"]) and not _is_event_id(query["last_event_id"]):
            del headers["Last-Event-ID"]  # keep the invalid value where it is read
        else:
            del query["last_event_id"]

    if case.meta is not None and case.meta.generation.mode.is_negative:
        return

    # Lists take `after` or `before`, not both (400 `invalid_parameter`, param `before`).
    if query and "after" in query and "before" in query:
        del query["before"]

    # A task's `cron` must be a cron expression that fires and its `timezone` an IANA name; the
    # document says so in words (a string pattern cannot say "fires"). Random strings for them
    # are replaced by valid values; bad ones are tested directly in APITests/TaskTests.
    if operation == "POST /v1/sessions/{id}/tasks" and isinstance(case.body, dict):
        if not (isinstance(case.body.get("cron"), str) and CRON.fullmatch(case.body["cron"])):
            case.body["cron"] = "0 9 * * 1-5"
        zone = case.body.get("timezone")
        if isinstance(zone, str) and zone not in ZONES:
            case.body["timezone"] = "Europe/Berlin"
        prompt = case.body.get("prompt")
        if isinstance(prompt, str) and len(prompt.encode("utf-8", "surrogatepass")) > 64 * 1024:
            case.body["prompt"] = prompt[:1024]

    if operation == "POST /v1/credentials" and isinstance(case.body, dict):
        _make_credential_valid(case.body)
    if operation == "POST /v1/rules" and isinstance(case.body, dict):
        _make_rule_valid(case.body)
    if operation == "POST /v1/channels" and isinstance(case.body, dict):
        _make_channel_valid(case.body)
    if operation == "POST /v1/webhooks" and isinstance(case.body, dict):
        _make_webhook_valid(case.body)

    # Idempotency is state across requests, which schemathesis does not model: Hypothesis re-runs
    # an example (to shrink or replay it) with the same `Idempotency-Key`, and the server then
    # rightly answers with the stored response, e.g. a `POST /v1/keys` replay naming a key that a
    # later step revoked, which the `ensure_resource_availability` check takes for a lost resource.
    # A valid key therefore gets a unique suffix per request (an invalid one is sent as generated);
    # test_openapi_document.py checks replays and reuse conflicts directly.
    key = headers.get("Idempotency-Key")
    if isinstance(key, str) and VALID_IDEMPOTENCY_KEY.fullmatch(key):
        suffix = "." + uuid.uuid4().hex[:12]
        case.headers["Idempotency-Key"] = key[: 255 - len(suffix)] + suffix


def _is_event_id(value) -> bool:
    text = str(value).strip()
    return text.isascii() and text.isdigit() and int(text) <= 2**63 - 1


# Headers a credential cannot be injected into (the proxy sets or strips them); the document says
# so in words. Matched without case, as header names are.
RESERVED_HEADERS = {"connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "host",
                    "content-length"}
# A host name the rule and credential checks certainly take: letter-digit-hyphen labels not
# starting or ending with '-', a last label starting with a letter (so never read as an IPv4 address).
HOST = re.compile(r"(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z]([a-z0-9-]{0,61}[a-z0-9])?", re.I)


def _make_credential_valid(body):
    """`model:` names are reserved, some headers cannot carry a credential, and a host is at most
    253 characters past its `*.`: rules of POST /v1/credentials that its schema states in words."""
    name = body.get("name")
    if isinstance(name, str) and name.lower().startswith("model:"):
        body["name"] = "x" + name[1:]
    inject = body.get("inject")
    if isinstance(inject, dict) and isinstance(inject.get("header"), str):
        header = inject["header"].lower()
        if header in RESERVED_HEADERS or header.startswith("proxy-"):
            inject["header"] = "X-Api-Key"
    hosts = body.get("hosts")
    if isinstance(hosts, list):
        body["hosts"] = [host if not isinstance(host, str) or len(host.removeprefix("*.")) <= 253 else "api.example.com"
                         for host in hosts]
    # An exchange needs settings and a secret of its kind (a client id and token URL, or a
    # service-account key): rules stated in words, tested in CredentialProxyTests/TokenMinting.
    if body.get("exchange") is None:
        body.pop("exchange_settings", None)
    else:
        body["exchange"] = None
        body.pop("exchange_settings", None)


def _make_rule_valid(body):
    """The checks of POST /v1/rules that its patterns cannot state (RuleInput's description lists
    them); invalid values are tested one by one in APITests/RuleTests."""
    host = body.get("host")
    if isinstance(host, str) and not (HOST.fullmatch(host) and len(host.removeprefix("*.")) <= 253):
        body["host"] = "api.example.com"
    methods = body.get("methods")
    if isinstance(methods, list):
        body["methods"] = ["GET" if isinstance(m, str) and m.upper() in ("TRACE", "CONNECT") else m for m in methods]
    path = body.get("path_prefix")
    if isinstance(path, str) and not _usable_rule_path(path):
        body["path_prefix"] = "/v1/"
    if body.get("action") == "deny" and body.get("rate_limit_per_minute") is not None:
        body["rate_limit_per_minute"] = None


def _usable_rule_path(path: str) -> bool:
    if "//" in path or any(segment in (".", "..") for segment in path.split("/")):
        return False
    for match in re.finditer("%", path):
        escape = path[match.start() + 1:match.start() + 3]
        if not re.fullmatch("[0-9A-Fa-f]{2}", escape) or int(escape, 16) in (0x2F, 0x5C, 0x2E):
            return False
    return True


# The characters of a webhook URL's path and query besides letters, digits and `%HH` (RFC 3986).
URL_PATH_CHARACTERS = set("-._~!$&'()*+,;=:@/?")
URL_LABEL = re.compile(r"[A-Za-z0-9_-]{1,63}")


def _make_webhook_valid(body):
    """The checks of POST /v1/webhooks that its `url` pattern cannot state (WebhookInput's
    description lists them); invalid URLs are tested one by one in APITests/WebhookTests. A URL
    the server would refuse becomes a loopback one on the discard port, so its deliveries are
    refused at once rather than sent anywhere."""
    url = body.get("url")
    if isinstance(url, str) and not _usable_webhook_url(url):
        body["url"] = "http://127.0.0.1:9/warden"


def _usable_webhook_url(url: str) -> bool:
    if not (0 < len(url) <= 2048 and all(0x21 <= ord(c) <= 0x7E for c in url)) or "#" in url:
        return False
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https"):
        return False
    split = min([i for i in (rest.find("/"), rest.find("?")) if i >= 0], default=len(rest))
    authority, tail = rest[:split], rest[split:]
    if "@" in authority:
        return False
    if authority.startswith("["):
        address, _, after = authority[1:].partition("]")
        if "%" in address:  # a zone id, which Python accepts and the server does not
            return False
        try:
            ipaddress.IPv6Address(address)
        except ValueError:
            return False
        if after and not after.startswith(":"):
            return False
        port = after[1:] if after else None
    else:
        host, colon, port = authority.partition(":")
        port = port if colon else None
        labels = host.removesuffix(".").split(".")
        if not host or len(host) > 253 or not all(URL_LABEL.fullmatch(label) for label in labels):
            return False
    if port is not None and not (port.isascii() and port.isdigit() and 1 <= int(port) <= 65535):
        return False
    for index, c in enumerate(tail):
        if c == "%":
            if not re.fullmatch("[0-9A-Fa-f]{2}", tail[index + 1:index + 3]):
                return False
        elif not (c.isascii() and c.isalnum()) and c not in URL_PATH_CHARACTERS:
            return False
    return True


def _make_channel_valid(body):
    """A channel's platform settings and credential ids must name real things (the operation's
    description lists them per platform); a generated body becomes a Discord channel, the one
    platform that needs only a public setting. Invalid settings are tested in APITests/ChannelTests."""
    body["platform"] = "discord"
    body["settings"] = {"public_key": "ab" * 32}
    body["verification_credential_id"] = None
    body["bot_credential_id"] = None
