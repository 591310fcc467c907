"""Failed sign-ins: a keyed, chained side log beside the database, which lockout reads.

A wrong password never yields the data key, so failed sign-ins cannot be written to the
audit trail when they happen. They go to login-attempts.json: one entry per failure of a
known user, numbered by a counter that only grows, each entry HMAC'd (a key derived from
this computer's device secret) over its content and the entry before it; the per-user
counters and the aggregated attempts with unknown names are covered by one more HMAC. At
the next successful sign-in the entries move into the audit trail, and the trail keeps the
counter and head they reached: a log deleted, rolled back or edited since is reported by
a row in the trail naming what is missing, and the file is set aside, never trusted.

Attempts with unknown names are counted per name (up to MAX_UNKNOWN_NAMES names, the rest
together), never as entries, so a thousand made-up names cannot push out one real user's
failures. A lock lasts at most the policy's lockout minutes from when it was set, so a
forged far-future `locked_until` locks nobody out for long.

What the key adds: someone who can write the file but not read the keyring (another OS
account, a copy of the directory) cannot forge entries or counters undetected. What it
cannot: the device secret is in the shared session's keyring, so an insider with a shell on
that account can rewrite entries not yet moved into the trail, and lockout is an online
defence against guessing at the sign-in screen, not against her.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from sqlalchemy import Connection, text

from app.security.lockout_file import FORMAT, GENESIS, MAX_BYTES, empty_log, shape_problem
from app.security.session import Session
from app.store import audit_log as audit
from app.store.files import replace_file
from app.store.store import Store

MAX_ENTRIES = 5000  # failures of known users awaiting the next sign-in; lockout bounds them
MAX_UNKNOWN_NAMES = 50
UNKNOWN_USER = "unknown user"
MOVED = "failed_sign_ins_moved"  # store_meta: "counter head unknown-batch" moved so far


@dataclass(frozen=True)
class FailedLogin:
    n: int
    at: str
    user: str
    reason: str


def side_log_key(device_secret: bytes, store_id: str) -> bytes:
    return hmac.new(device_secret, f"hearth failed sign-in log {store_id}".encode(),
                    hashlib.sha256).digest()


def attempts_of(store: Store, lockout_minutes: int) -> "LoginAttempts":
    """The side log of an open store (for the admin's user list and unlock, and recovery)."""
    return LoginAttempts(store.paths.login_attempts,
                         side_log_key(store.device_secret, store.store_id),
                         timedelta(minutes=lockout_minutes))


class LoginAttempts:
    """The side log as read from disk. A damaged file is set aside at once and the new log
    carries the sentence saying why (`problems`) until a sign-in moves it into the trail."""

    def __init__(self, path: Path, key: bytes, lock_for: timedelta):
        self.path, self._key, self._lock_for = path, key, lock_for
        self._log = self._read()
        if self._log["problems"] and not self.path.exists():
            self._save()

    @property
    def problems(self) -> list[str]:
        return list(self._log["problems"])

    def locked_until(self, name: str, now: datetime) -> datetime | None:
        entry = self._log["users"].get(name, {})
        if not entry.get("locked_until"):
            return None
        locked_at = min(_moment(entry["locked_at"]), now)
        until = min(_moment(entry["locked_until"]), locked_at + self._lock_for)
        return until if until > now else None

    def record_failure(
        self, name: str, reason: str, now: datetime, limit: int | None, lock_for: timedelta
    ) -> tuple[int, datetime | None]:
        """Record one failure; count it toward a lock unless `limit` is None. An unknown
        name is only counted, aggregated with the others (never an entry)."""
        at = now.astimezone(UTC).isoformat()
        if reason == UNKNOWN_USER:
            self._count_unknown(name, at)
            self._save()
            return 0, None
        self._append_entry(at, name, reason)
        if limit is None:
            self._save()
            return 0, None
        entry = self._log["users"].setdefault(name, {"failures": 0})
        failures = entry["failures"] = entry["failures"] + 1
        until = None
        if failures >= limit:
            until = now + lock_for
            entry.update(failures=0, locked_at=now.isoformat(), locked_until=until.isoformat())
        self._save()
        return failures, until

    def move_into_trail(self, conn: Connection, session: Session) -> None:
        """At a successful sign-in, in its transaction: the entries not yet in the trail,
        the unknown names, and a row for each fault of the file since the last move."""
        moved = _moved(conn)
        # a log set aside (problems) or rolled back starts again: none of its entries moved
        started_again = bool(self.problems) or self._log["counter"] < moved["counter"]
        gaps = [] if self.problems else self._gaps(moved)
        continues = not started_again
        already_moved = moved["counter"] if continues else 0
        rows = [audit.event_for(session, "login", outcome="failure", entity="FailedSignInLog",
                                detail=problem) for problem in self.problems + gaps]
        for entry in self._log["entries"]:
            if entry["n"] > already_moved:
                rows.append(audit.Event(entry["at"], entry["user"], None, "login", "failure",
                                        entity=f"FailedSignIn/{entry['n']}",
                                        detail=entry["reason"]))
        unknown = self._log["unknown"]
        if unknown["attempts"] and (unknown["batch"] != moved["batch"] or not continues):
            rows.extend(audit.Event(unknown["last_at"], name, None, "login", "failure",
                                    detail=UNKNOWN_USER + (f" ({count} attempts)"
                                                           if count > 1 else ""))
                        for name, count in unknown["names"].items())
            if unknown["other_names"]:
                rows.append(audit.Event(
                    unknown["last_at"], "(other unknown names)", None, "login", "failure",
                    detail=f"{UNKNOWN_USER} ({unknown['other_names']} attempts with other names, "
                           f"from {unknown['first_at']})"))
        audit.append_many(conn, rows)
        conn.execute(text("INSERT OR REPLACE INTO store_meta (key, value) VALUES (:k, :v)"),
                     {"k": MOVED, "v": f"{self._log['counter']} {self._log['head']} "
                                       f"{unknown['batch']}"})

    def recorded(self, name: str) -> None:
        """After the move commits: the entries are in the trail; the user's count restarts."""
        self._log["entries"], self._log["problems"] = [], []
        self._log["users"].pop(name, None)
        batch = self._log["unknown"]["batch"]
        self._log["unknown"] = {**empty_log()["unknown"], "batch": batch + 1}
        self._save()

    def clear(self, name: str) -> None:
        """An admin's unlock, or a recovery: the user's lock and count go."""
        if self._log["users"].pop(name, None) is not None:
            self._save()

    # -- the file ---------------------------------------------------------------------------

    def _read(self) -> dict:
        try:
            if (size := self.path.stat().st_size) > MAX_BYTES:
                return self._set_aside(f"is {size} bytes, larger than any failed sign-in log")
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return empty_log()
        except (OSError, orjson.JSONDecodeError) as err:
            return self._set_aside(f"is not readable JSON ({type(err).__name__})")
        if problem := shape_problem(data, MAX_ENTRIES):
            return self._set_aside(problem)
        if not hmac.compare_digest(data["mac"], self._mac_of(data)):
            return self._set_aside("was edited: its counters do not match their HMAC")
        prev = data["entries"][0]["prev"] if data["entries"] else data["head"]
        for entry in data["entries"]:
            if entry["prev"] != prev or not hmac.compare_digest(
                    entry["mac"], self._entry_mac(entry)):
                return self._set_aside(f"was edited at failed sign-in {entry['n']}")
            prev = entry["mac"]
        if prev != data["head"]:
            return self._set_aside("was edited: its head is not its last entry")
        return data

    def _set_aside(self, problem: str) -> dict:
        """Keep the damaged file for review and start a new log from nothing."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self.path.with_name(f"{self.path.name}.damaged-{stamp}")
        try:
            self.path.replace(aside)
            kept = f"; it was kept as {aside.name}"
        except OSError:
            kept = ""
        return {**empty_log(), "problems": [
            f"The failed sign-in log {self.path.name} {problem}, so its counters were "
            f"started again{kept}."]}

    def _gaps(self, moved: dict) -> list[str]:
        """What is missing between the last move into the trail and this file."""
        log = self._log
        first = log["entries"][0]["n"] if log["entries"] else log["counter"] + 1
        if log["counter"] < moved["counter"]:
            return [f"The failed sign-in log was deleted or replaced by an older copy: the "
                    f"trail holds failed sign-ins up to {moved['counter']}, the log only "
                    f"up to {log['counter']}."]
        if first > moved["counter"] + 1:
            return [f"Failed sign-ins {moved['counter'] + 1}-{first - 1} are missing from "
                    "the failed sign-in log: they were removed before they reached the trail."]
        chained_from = next((e["prev"] for e in log["entries"] if e["n"] == moved["counter"] + 1),
                            log["head"] if first > log["counter"] else None)
        if chained_from is not None and chained_from != moved["head"]:
            return [f"The failed sign-in log was rewritten before failed sign-in "
                    f"{moved['counter'] + 1}: it does not continue the chain the trail holds."]
        return []

    def _append_entry(self, at: str, name: str, reason: str) -> None:
        log = self._log
        entry = {"n": log["counter"] + 1, "at": at, "user": name, "reason": reason,
                 "prev": log["head"]}
        entry["mac"] = self._entry_mac(entry)
        log["entries"] = (log["entries"] + [entry])[-MAX_ENTRIES:]
        log["counter"], log["head"] = entry["n"], entry["mac"]

    def _count_unknown(self, name: str, at: str) -> None:
        unknown = self._log["unknown"]
        if name in unknown["names"] or len(unknown["names"]) < MAX_UNKNOWN_NAMES:
            unknown["names"][name] = unknown["names"].get(name, 0) + 1
        else:
            unknown["other_names"] += 1
        unknown["attempts"] += 1
        unknown["first_at"] = unknown["first_at"] or at
        unknown["last_at"] = at

    def _entry_mac(self, entry: dict) -> str:
        content = [entry["n"], entry["at"], entry["user"], entry["reason"], entry["prev"]]
        return hmac.new(self._key, orjson.dumps(content), hashlib.sha256).hexdigest()

    def _mac_of(self, log: dict) -> str:
        content = {k: v for k, v in log.items() if k not in ("mac", "entries")}
        return hmac.new(self._key, orjson.dumps(content, option=orjson.OPT_SORT_KEYS),
                        hashlib.sha256).hexdigest()

    def _save(self) -> None:
        self._log["format"] = FORMAT
        self._log["mac"] = self._mac_of(self._log)
        replace_file(self.path, orjson.dumps(self._log))


def _moved(conn: Connection) -> dict:
    value = conn.execute(text("SELECT value FROM store_meta WHERE key = :k"),
                         {"k": MOVED}).scalar_one_or_none()
    counter, head, batch = (value or f"0 {GENESIS} -1").split()
    return {"counter": int(counter), "head": head, "batch": int(batch)}


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
