"""Failed-login counting, kept beside the database because a failed login cannot open it.

A wrong password never yields the data key, so the counters and the record of failed
attempts live in a small file in the store directory. The record is moved into the audit
trail by the next successful login, in that login's transaction. Anyone able to edit this
file could reset the counters; the offline defence is argon2id, this is the online one.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from app.store.files import replace_file

MAX_UNRECORDED = 1000


@dataclass(frozen=True)
class FailedLogin:
    at: str
    user: str
    reason: str


class LoginAttempts:
    def __init__(self, path: Path):
        self.path = path
        try:
            self._content = orjson.loads(path.read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            self._content = {"users": {}, "unrecorded": []}

    def locked_until(self, name: str, now: datetime) -> datetime | None:
        until = self._content["users"].get(name, {}).get("locked_until")
        if until and datetime.fromisoformat(until) > now:
            return datetime.fromisoformat(until)
        return None

    def record_failure(
        self, name: str, reason: str, now: datetime, limit: int | None, lock_for: timedelta
    ) -> tuple[int, datetime | None]:
        """Count one failure (limit None: an unknown name, recorded but not counted)."""
        self._content["unrecorded"] = (self._content["unrecorded"] + [
            {"at": now.astimezone(UTC).isoformat(), "user": name, "reason": reason}
        ])[-MAX_UNRECORDED:]
        failures, until = 0, None
        if limit is not None:
            entry = self._content["users"].setdefault(name, {"failures": 0})
            failures = entry["failures"] = entry["failures"] + 1
            if failures >= limit:
                until = now + lock_for
                entry.update(failures=0, locked_until=until.isoformat())
        self._save()
        return failures, until

    def unrecorded(self) -> list[FailedLogin]:
        return [FailedLogin(**item) for item in self._content["unrecorded"]]

    def recorded(self, name: str) -> None:
        """After a successful login: the failures are in the audit trail; counting restarts."""
        self._content["unrecorded"] = []
        self._content["users"].pop(name, None)
        self._save()

    def clear(self, name: str) -> None:
        if self._content["users"].pop(name, None) is not None:
            self._save()

    def _save(self) -> None:
        replace_file(self.path, orjson.dumps(self._content))
