"""Schemathesis hooks for the black-box run (loaded through SCHEMATHESIS_HOOKS).

Each hook encodes a rule of the API that OpenAPI 3.1 cannot express (the document states it in
words), so that schemathesis neither calls schema-valid what the server rightly refuses nor locks
itself out. `before_call` runs for every request of every phase (the generation-time `filter_*`
hooks do not reach the coverage phase), so the rules live there.

Only positive cases (data the document calls valid) are adjusted. Negative ones must be rejected
whatever else they carry, and editing them would make schemathesis revalidate the case as positive
and, for a "missing Authorization" case, put the header back while still expecting a 401.
"""
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
