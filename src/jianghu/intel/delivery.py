"""Delivering alerts: to a JSONL file, standard output, a webhook or e-mail, through a
persistent outbox.

A new alert is written to the outbox (one row per sink) in the store; ``deliver`` sends
what is due. A failed send is retried with exponential backoff (the clock is injectable,
so tests do not sleep) until ``max_attempts``, then the alert goes to the sink's
dead-letter file. Because the outbox lives in the store, a crash or a restart loses
nothing: the next ``deliver`` picks up where the last one stopped. Every delivery of an
alert carries the same idempotency key, so a receiver can drop repeats.

Sinks are configured in a TOML file::

    [[sink]]
    name = "soc"
    kind = "webhook"                 # jsonl, stdout, webhook, smtp
    url = "https://soc.example/hook"
    secret_env = "JIANGHU_WEBHOOK_SECRET"   # HMAC-SHA256 key, read from the environment
    dead_letter = "dead-letters.jsonl"

    [[sink]]
    name = "mail"
    kind = "smtp"
    host = "smtp.example"
    port = 587
    starttls = true
    username = "alerts"
    password_env = "JIANGHU_SMTP_PASSWORD"
    sender = "jianghu@example"
    to = ["soc@example"]

Victims' card, ID and phone numbers are masked in every payload.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import smtplib
import sys
import tomllib
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import IO, Any, Protocol

import orjson

from jianghu.errors import ConfigError
from jianghu.store.base import Store

SINK_KINDS = ("jsonl", "stdout", "webhook", "smtp")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class Sink:
    name: str
    kind: str
    path: Path | None = None  # jsonl
    url: str | None = None  # webhook
    secret_env: str | None = None
    host: str | None = None  # smtp
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None
    sender: str | None = None
    to: tuple[str, ...] = ()
    max_attempts: int = 8
    base_delay: float = 2.0  # seconds before the first retry; doubles each time
    max_delay: float = 3600.0
    timeout: float = 10.0
    dead_letter: Path | None = None


def _opt_str(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ConfigError(f"{where}: '{key}' must be a non-empty string")
    return value


def parse_sink(obj: object, where: str) -> Sink:
    if not isinstance(obj, dict):
        raise ConfigError(f"{where}: expected a table")
    name, kind = obj.get("name"), obj.get("kind")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: expected a non-empty 'name'")
    where = f"{where} ({name!r})"
    if kind not in SINK_KINDS:
        raise ConfigError(f"{where}: 'kind' must be one of {', '.join(SINK_KINDS)}")
    known = {
        "name",
        "kind",
        "path",
        "url",
        "secret_env",
        "host",
        "port",
        "starttls",
        "username",
        "password_env",
        "sender",
        "to",
        "max_attempts",
        "base_delay",
        "max_delay",
        "timeout",
        "dead_letter",
    }
    if unknown := set(obj) - known:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    path, url, host = (_opt_str(obj, k, where) for k in ("path", "url", "host"))
    if kind == "jsonl" and path is None:
        raise ConfigError(f"{where}: a jsonl sink needs 'path'")
    if kind == "webhook" and (url is None or not url.startswith(("http://", "https://"))):
        raise ConfigError(f"{where}: a webhook needs an http(s) 'url'")
    to = obj.get("to", [])
    if kind == "smtp":
        if host is None or not _opt_str(obj, "sender", where):
            raise ConfigError(f"{where}: an smtp sink needs 'host' and 'sender'")
        if not isinstance(to, list) or not to or not all(isinstance(t, str) for t in to):
            raise ConfigError(f"{where}: an smtp sink needs 'to', a list of addresses")
    numbers = {}
    for key, default in (
        ("port", 25),
        ("max_attempts", 8),
        ("base_delay", 2.0),
        ("max_delay", 3600.0),
        ("timeout", 10.0),
    ):
        value = obj.get(key, default)
        if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
            raise ConfigError(f"{where}: '{key}' must be a positive number")
        numbers[key] = value
    dead = _opt_str(obj, "dead_letter", where)
    return Sink(
        name=name.strip(),
        kind=kind,
        path=Path(path) if path else None,
        url=url,
        secret_env=_opt_str(obj, "secret_env", where),
        host=host,
        port=int(numbers["port"]),
        starttls=bool(obj.get("starttls", False)),
        username=_opt_str(obj, "username", where),
        password_env=_opt_str(obj, "password_env", where),
        sender=obj.get("sender"),
        to=tuple(to),
        max_attempts=int(numbers["max_attempts"]),
        base_delay=float(numbers["base_delay"]),
        max_delay=float(numbers["max_delay"]),
        timeout=float(numbers["timeout"]),
        dead_letter=Path(dead) if dead else None,
    )


def parse_sinks(text: str, source: str) -> list[Sink]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    raw = data.get("sink", [])
    if set(data) - {"sink"} or not isinstance(raw, list):
        raise ConfigError(f"{source}: expected only [[sink]] tables")
    sinks = [parse_sink(s, f"{source}: sink {i + 1}") for i, s in enumerate(raw)]
    if len({s.name for s in sinks}) != len(sinks):
        raise ConfigError(f"{source}: two sinks have the same name")
    return sinks


def load_sinks(path: Path) -> list[Sink]:
    try:
        return parse_sinks(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the sink file: {exc}") from exc


# ---- the outbox ------------------------------------------------------------------------
def payload_of(store: Store, alert_id: int) -> dict[str, Any]:
    """What every sink receives for an alert, victims' numbers masked."""
    from jianghu.faces.masking import mask_found, mask_text

    r = store._one(
        "SELECT al.id, al.rule, al.severity, al.matched, al.created_at, al.first_message_id, "
        "m.text, m.posted_at, coalesce(c.name, c.key), m.platform FROM alerts al "
        "JOIN messages m ON m.id = al.first_message_id JOIN channels c ON c.id = m.channel_id "
        "WHERE al.id = ?",
        (alert_id,),
    )
    found = store.entities_of([int(r[5])]).get(int(r[5]), [])
    text = mask_text(r[6], [e.to_entity() for e in found])
    return {
        "alert_id": int(r[0]),
        "rule": r[1],
        "severity": r[2],
        "matched": mask_found(r[3]),
        "created_at": store._read_ts(r[4]).isoformat(),
        "message_id": int(r[5]),
        "message_text": text,
        "posted_at": store._read_ts(r[7]).isoformat(),
        "channel": r[8],
        "platform": r[9],
    }


def idempotency_key(alert_id: int, sink: str) -> str:
    return hashlib.sha256(f"jianghu-alert/{alert_id}/{sink}".encode()).hexdigest()[:32]


def enqueue(store: Store, alert_ids: Sequence[int], sinks: Sequence[Sink], clock: Clock) -> int:
    """Put new alerts in the outbox of every sink (once per alert and sink)."""
    now = store._ts(clock.now())
    added = 0
    with store._transaction():
        for alert_id in alert_ids:
            body = orjson.dumps(payload_of(store, alert_id)).decode()
            for sink in sinks:
                exists = store._one(
                    "SELECT 1 FROM alert_outbox WHERE alert_id = ? AND sink = ?",
                    (alert_id, sink.name),
                )
                if exists is None:
                    store._execute(
                        store._q(
                            "INSERT INTO alert_outbox (alert_id, sink, idempotency_key, payload, "
                            "status, attempts, next_attempt_at, created_at) "
                            "VALUES (?, ?, ?, ?, 'pending', 0, ?, ?)"
                        ),
                        (alert_id, sink.name, idempotency_key(alert_id, sink.name), body, now, now),
                    )
                    added += 1
    return added


@dataclass
class DeliveryReport:
    delivered: int = 0
    failed: int = 0  # attempts that failed and will be retried
    dead: int = 0
    errors: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return dict(vars(self))


class DeliveryError(Exception):
    pass


def deliver(
    store: Store, sinks: Sequence[Sink], clock: Clock | None = None, stdout: IO[str] | None = None
) -> DeliveryReport:
    """Send every outbox entry that is due; see the module docstring."""
    clock = clock or SystemClock()
    by_name = {s.name: s for s in sinks}
    report = DeliveryReport()
    now = clock.now()
    rows = store._all(
        "SELECT id, sink, idempotency_key, payload, attempts FROM alert_outbox "
        "WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id",
        (store._ts(now),),
    )
    for row_id, name, key, payload, attempts in rows:
        sink = by_name.get(name)
        if sink is None:
            continue  # a sink no longer configured: left pending, not lost
        try:
            _send(sink, key, payload, stdout or sys.stdout)
        except DeliveryError as exc:
            tries = int(attempts) + 1
            if tries >= sink.max_attempts:
                _dead_letter(sink, key, payload, str(exc), now)
                status, report.dead = "dead", report.dead + 1
                next_at = now
            else:
                delay = min(sink.base_delay * 2 ** (tries - 1), sink.max_delay)
                status, report.failed = "pending", report.failed + 1
                next_at = now + timedelta(seconds=delay)
            report.errors.append(f"{name}: {exc}")
            with store._transaction():
                store._execute(
                    store._q(
                        "UPDATE alert_outbox SET status = ?, attempts = ?, next_attempt_at = ?, "
                        "last_error = ?, done_at = ? WHERE id = ?"
                    ),
                    (
                        status,
                        tries,
                        store._ts(next_at),
                        str(exc)[:500],
                        store._ts(now) if status == "dead" else None,
                        row_id,
                    ),
                )
            continue
        with store._transaction():
            store._execute(
                store._q(
                    "UPDATE alert_outbox SET status = 'delivered', attempts = ?, done_at = ? "
                    "WHERE id = ?"
                ),
                (int(attempts) + 1, store._ts(now), row_id),
            )
        report.delivered += 1
    return report


def pending(store: Store) -> int:
    return int(store._one("SELECT count(*) FROM alert_outbox WHERE status = 'pending'")[0])


def _dead_letter(sink: Sink, key: str, payload: str, error: str, now: datetime) -> None:
    if sink.dead_letter is None:
        return
    line = orjson.dumps(
        {
            "sink": sink.name,
            "idempotency_key": key,
            "error": error,
            "given_up_at": now.isoformat(),
            "payload": orjson.loads(payload),
        }
    )
    with sink.dead_letter.open("ab") as fh:
        fh.write(line + b"\n")
        fh.flush()
        os.fsync(fh.fileno())


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # An alert goes where it was configured to go, never where a response points.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _send(sink: Sink, key: str, payload: str, stdout: IO[str]) -> None:
    if sink.kind == "stdout":
        stdout.write(payload + "\n")
        stdout.flush()
    elif sink.kind == "jsonl":
        assert sink.path is not None
        try:
            with sink.path.open("ab") as fh:
                fh.write(payload.encode("utf-8") + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise DeliveryError(f"cannot write {sink.path}: {exc}") from exc
    elif sink.kind == "webhook":
        _post(sink, key, payload)
    else:
        _mail(sink, key, payload)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _post(sink: Sink, key: str, payload: str) -> None:
    assert sink.url is not None
    body = payload.encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "Idempotency-Key": key,
        "User-Agent": "jianghu-alerts",
    }
    if sink.secret_env:
        secret = os.environ.get(sink.secret_env)
        if not secret:
            raise DeliveryError(f"environment variable {sink.secret_env} is not set")
        headers["X-Jianghu-Signature"] = signature(secret, body)
    request = urllib.request.Request(sink.url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=sink.timeout) as response:
            if not 200 <= response.status < 300:
                raise DeliveryError(f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryError(f"cannot reach {sink.url}: {exc}") from exc


def _mail(sink: Sink, key: str, payload: str) -> None:
    data = orjson.loads(payload)
    msg = EmailMessage()
    msg["Subject"] = f"[jianghu] {data['severity']} alert: {data['rule']}"
    msg["From"] = sink.sender or ""
    msg["To"] = ", ".join(sink.to)
    msg["Message-ID"] = f"<{key}@jianghu>"
    msg.set_content(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())
    password = ""
    if sink.username and sink.password_env:
        password = os.environ.get(sink.password_env, "")
        if not password:
            raise DeliveryError(f"environment variable {sink.password_env} is not set")
    try:
        assert sink.host is not None
        with smtplib.SMTP(sink.host, sink.port, timeout=sink.timeout) as smtp:
            if sink.starttls:
                smtp.starttls()
            if sink.username:
                smtp.login(sink.username, password)
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"SMTP {sink.host}:{sink.port}: {exc}") from exc
