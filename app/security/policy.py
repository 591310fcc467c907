"""Policy that IT may preset: lockout, idle lock, password length, KDF cost, sync server.

The shipped defaults live in resources/default-policy.json so an IT admin reads and
overrides the same file format; a key that is missing or misspelt is refused by name.
"""

from dataclasses import dataclass, fields
from importlib.resources import files
from pathlib import Path

import orjson

from app.errors import UsageError
from app.store.keys import KdfCost


@dataclass(frozen=True)
class SyncPolicy:
    """Where this workstation syncs. Optional as a whole: a clinic may run without a server."""

    server: str | None = None  # FHIR base URL
    interval_seconds: int = 300
    organization: str | None = None  # pull only this clinic's patients
    client_id: str | None = None  # its secret or key is in the OS keyring
    scope: str = "system/*.*"
    ca_bundle: str | None = None  # a CA file for a server with a private certificate


OPTIONAL = {"sync", "note_autosave_seconds"}  # settings older policy files may lack


@dataclass(frozen=True)
class Policy:
    failed_logins_before_lock: int
    lockout_minutes: int
    idle_lock_minutes: int
    min_password_length: int
    kdf: KdfCost
    sync: SyncPolicy = SyncPolicy()
    note_autosave_seconds: float = 5.0  # a crash loses at most this much typing

    @classmethod
    def default(cls) -> "Policy":
        return cls.from_json(files("hearth_resources").joinpath("default-policy.json").read_bytes())

    @classmethod
    def from_file(cls, path: Path) -> "Policy":
        try:
            return cls.from_json(path.read_bytes())
        except OSError as exc:
            raise UsageError(f"Cannot read the policy file {path}: {exc.strerror}.") from None

    @classmethod
    def from_json(cls, raw: bytes) -> "Policy":
        try:
            values = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise UsageError(f"The policy is not valid JSON ({exc}).") from None
        if not isinstance(values, dict) or not isinstance(values.get("kdf", {}), dict):
            raise UsageError("The policy must be a JSON object like default-policy.json.")
        expected = {f.name for f in fields(cls)}
        if unknown := set(values) - expected:
            raise UsageError(f"Unknown policy setting(s): {', '.join(sorted(unknown))}.")
        if missing := expected - set(values) - OPTIONAL:
            raise UsageError(f"Missing policy setting(s): {', '.join(sorted(missing))}.")
        if bad := set(values["kdf"]) ^ {f.name for f in fields(KdfCost)}:
            raise UsageError(f"Policy kdf settings wrong or missing: {', '.join(sorted(bad))}.")
        sync = values.get("sync", {})
        if not isinstance(sync, dict):
            raise UsageError("The policy's sync settings must be a JSON object.")
        if unknown := set(sync) - {f.name for f in fields(SyncPolicy)}:
            raise UsageError(f"Unknown policy sync setting(s): {', '.join(sorted(unknown))}.")
        return cls(**{**values, "kdf": KdfCost(**values["kdf"]), "sync": SyncPolicy(**sync)})
