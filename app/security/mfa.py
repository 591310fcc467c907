"""The second factor: a TOTP authenticator (RFC 6238) and ten one-time recovery codes.

Each enrolled user's secret is kept in the encrypted store beside her account (store_meta,
key `second_factor:<name>`, as the store's other per-store values are), with the last time
step used, so a code is accepted once only, and the recovery codes hashed with argon2id as
passwords are. Codes use 30-second steps and are accepted one step either side of this
computer's clock, so a phone up to about 30 seconds off still works; everything is checked
offline. Enrolment, each recovery code used, each wrong code and an admin's reset (with
its reason) are in the audit trail. Who must enrol and when a code is asked is the policy's
"mfa" section (app.security.mfa_policy).
"""

import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
from sqlalchemy import Connection, delete, select, text

from app.display_time import when_text
from app.errors import NotFound, UsageError, WrongPassword
from app.security.code_window import STEP_SECONDS, TOLERANCE_STEPS, TOLERANCE_TEXT
from app.security.policy import Policy
from app.security.roles import Permission
from app.security.session import Session
from app.security.users import find_user, password_hasher, password_matches
from app.store import audit_log as audit
from app.store import schema
from app.store.store import Store

RECOVERY_CODES = 10
ISSUER = "Hearth"
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread


class WrongCode(WrongPassword):
    """A second-factor code refused; shown on the sign-in screen like a wrong password."""

    title = "Code refused"


@dataclass(frozen=True)
class Enrolment:
    """What the user is shown once: the secret (as an otpauth:// URI for the QR code) and
    the recovery codes. Nothing is stored until a code from the app confirms it."""

    user: str
    secret: str
    uri: str
    recovery_codes: tuple[str, ...]


@dataclass(frozen=True)
class Enrolled:
    name: str
    full_name: str
    role: str
    required: bool
    enrolled_at: str | None
    recovery_codes_left: int


def _key(name: str) -> str:
    return f"second_factor:{name}"


def _read(conn: Connection, name: str) -> dict | None:
    value = conn.execute(select(schema.store_meta.c.value).where(
        schema.store_meta.c.key == _key(name))).scalar_one_or_none()
    return json.loads(value) if value else None


def _write(conn: Connection, name: str, record: dict) -> None:
    conn.execute(text("INSERT INTO store_meta (key, value) VALUES (:k, :v) ON CONFLICT (key) "
                      "DO UPDATE SET value = excluded.value"),
                 {"k": _key(name), "v": json.dumps(record)})


def _step(now: datetime) -> int:
    return int(now.timestamp()) // STEP_SECONDS


def _matching_step(secret: str, code: str, now: datetime) -> int | None:
    totp, current = pyotp.TOTP(secret, interval=STEP_SECONDS), _step(now)
    for step in range(current - TOLERANCE_STEPS, current + TOLERANCE_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _is_six_digits(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def _normal(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _new_recovery_code() -> str:
    letters = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
    return f"{letters[:5]}-{letters[5:]}"


class SecondFactor:
    def __init__(self, store: Store, policy: Policy):
        self._store = store
        self._policy = policy

    def required(self, session: Session) -> bool:
        return str(session.role) in self._policy.mfa.required_roles

    def enrolled(self, name: str) -> bool:
        with self._store.read() as conn:
            return _read(conn, name) is not None

    def at_sign_in(self, session: Session) -> str | None:
        """What the sign-in asks after the password: "enrol" (required, not enrolled yet),
        "code", or None (this user signs in with the password alone)."""
        enrolled = self.enrolled(session.user)
        if self.required(session) and not enrolled:
            return "enrol"
        return "code" if enrolled and self._policy.mfa.at_sign_in else None

    def at_signing(self, session: Session) -> bool:
        """Whether signing or cosigning a note asks this user's code beside the password."""
        return self._policy.mfa.at_signing == "code" and self.enrolled(session.user)

    def at_unlock(self, session: Session, now: datetime | None = None) -> str | None:
        """As at sign-in, except that with at_unlock "password" a code given within the
        last `shift_hours` lets the password alone unlock."""
        asked = self.at_sign_in(session)
        if asked != "code":
            return asked
        with self._store.read() as conn:
            last = _read(conn, session.user).get("verified_at")
        now, rules = now or datetime.now(UTC), self._policy.mfa
        if rules.at_unlock == "password" and last and \
                now - datetime.fromisoformat(last) < timedelta(hours=rules.shift_hours):
            return None
        return "code"

    def begin(self, session: Session) -> Enrolment:
        """A new secret and recovery codes for the signed-in user, not yet stored."""
        if self.enrolled(session.user):
            raise UsageError(f"{session.user} already has an authenticator. To move to a new "
                             f"phone, ask an admin: hearth mfa reset {session.user} --reason …")
        secret = pyotp.random_base32()
        uri = pyotp.TOTP(secret, interval=STEP_SECONDS).provisioning_uri(
            name=session.user, issuer_name=f"{ISSUER} ({self._store.store_id[:8]})")
        codes = tuple(_new_recovery_code() for _ in range(RECOVERY_CODES))
        return Enrolment(session.user, secret, uri, codes)

    def confirm(self, session: Session, enrolment: Enrolment, code: str,
                now: datetime | None = None) -> None:
        """Store the enrolment once a code from the app proves the phone has the secret."""
        now = now or datetime.now(UTC)
        code = code.strip()
        if enrolment.user != session.user:
            raise UsageError("An authenticator is enrolled by its own user, signed in.")
        if not _is_six_digits(code):
            raise WrongCode("Type the 6 digits the authenticator app shows for Hearth.")
        step = _matching_step(enrolment.secret, code, now)
        if step is None:
            raise WrongCode(_no_match(now))
        hasher = password_hasher(self._policy)
        record = {"secret": enrolment.secret, "last_step": step,
                  "recovery": [hasher.hash(_normal(c)) for c in enrolment.recovery_codes],
                  "enrolled_at": now.isoformat(), "verified_at": now.isoformat()}
        with self._store.write() as conn:
            if _read(conn, session.user) is not None:
                raise UsageError(f"{session.user} already has an authenticator.")
            _write(conn, session.user, record)
            audit.append(conn, audit.event_for(session, "create", entity=f"User/{session.user}",
                                               detail="second factor enrolled"))

    def verify(self, session: Session, code: str, now: datetime | None = None,
               purpose: str = "") -> str:
        """Check a 6-digit code or a recovery code for the signed-in user; a sentence saying
        what was accepted. A wrong code is audited as a failed sign-in; `purpose` ("signing a
        note") names in the audit trail what else than signing in the code was asked for."""
        now = now or datetime.now(UTC)
        code, why = code.strip(), f" ({purpose})" if purpose else ""
        with self._store.read() as conn:
            record = _read(conn, session.user)
        if record is None:
            raise NotFound(f"{session.user} has no authenticator enrolled.")
        if _is_six_digits(code):
            if (until := record.get("locked_until")) and datetime.fromisoformat(until) > now:
                raise WrongCode(f"Too many wrong codes: the next is checked after "
                                f"{when_text(datetime.fromisoformat(until))}. A recovery code "
                                "works now.")
            step = _matching_step(record["secret"], code, now)
            if step is not None and step <= record["last_step"]:
                self._refused(session, record, "second-factor code reused" + why, now)
                raise WrongCode("That code was already used; wait for the next one.")
            if step is None:
                self._refused(session, record, "wrong second-factor code" + why, now)
                raise WrongCode(_no_match(now))
            record["last_step"], accepted = step, "code"
        else:
            left = [h for h in record["recovery"]
                    if not password_matches(self._policy, h, _normal(code))]
            if len(left) == len(record["recovery"]):
                self._refused(session, record, "wrong recovery code" + why, now)
                raise WrongCode("That is neither the 6-digit code from the authenticator app "
                                "nor an unused recovery code.")
            record["recovery"] = left
            accepted = (f"recovery code; {len(left)} left"
                        + ("" if left else ": ask an admin to reset your authenticator"))
        record.update(verified_at=now.isoformat(), failures=0, locked_until=None)
        with self._store.write() as conn:
            _write(conn, session.user, record)
            audit.append(conn, audit.event_for(session, "login",
                                               detail=f"second factor{why}: {accepted}"))
        return f"{'Accepted' if purpose else 'Signed in with'} a {accepted}."

    def reset(self, session: Session, name: str, reason: str) -> None:
        """An admin removes a user's authenticator (a lost phone); she enrols again at her
        next sign-in if her role requires it."""
        session.require(Permission.MANAGE_USERS)
        reason = " ".join(reason.split())
        if not reason:
            raise UsageError("Say why the authenticator is reset (e.g. \"phone lost\"); "
                             "nothing was changed.")
        with self._store.write() as conn:
            if find_user(conn, name) is None:
                raise NotFound(f"There is no user named '{name}'.")
            if _read(conn, name) is None:
                raise UsageError(f"{name} has no authenticator to reset.")
            conn.execute(delete(schema.store_meta).where(schema.store_meta.c.key == _key(name)))
            audit.append(conn, audit.event_for(session, "update", entity=f"User/{name}",
                                               detail=f"second factor reset: {reason}"))

    def status(self, session: Session) -> list[Enrolled]:
        """Every user, whether her role requires a second factor and whether she enrolled."""
        session.require(Permission.MANAGE_USERS)
        with self._store.read() as conn:
            users = conn.execute(select(schema.app_user).order_by(schema.app_user.c.name)).all()
            records = {u.name: _read(conn, u.name) for u in users}
        return [Enrolled(u.name, u.full_name, u.role, u.role in self._policy.mfa.required_roles,
                         (r or {}).get("enrolled_at"), len((r or {}).get("recovery", [])))
                for u in users for r in [records[u.name]]]

    def _refused(self, session: Session, record: dict, detail: str, now: datetime) -> None:
        """Audit a refused code and count it: as many wrong codes in a row as the policy
        allows wrong passwords stop codes for the lockout time (a 6-digit code is guessed
        in a million tries, and three are valid at any moment)."""
        record["failures"] = record.get("failures", 0) + 1
        if record["failures"] >= self._policy.failed_logins_before_lock:
            until = now + timedelta(minutes=self._policy.lockout_minutes)
            record.update(failures=0, locked_until=until.isoformat())
        with self._store.write() as conn:
            _write(conn, session.user, record)
            audit.append(conn, audit.event_for(session, "login", outcome="failure",
                                               detail=detail))


def _no_match(now: datetime) -> str:
    return (f"That code does not match. {TOLERANCE_TEXT[0].upper()}{TOLERANCE_TEXT[1:]} "
            f"(now {now.astimezone().strftime('%H:%M:%S')}): check that the phone sets its "
            "time automatically, then type the code it shows now.")
