"""The per-store device secret, kept in the operating system's keyring.

The data key is wrapped under the user's password *and* this secret, so a copied store
plus a stolen password still opens nothing on another computer. The secret never touches a
plain file: backends that would store it in the clear are refused (fail closed). The one
exception is the demo clinic's, which holds only synthetic patients (app.store.demo_secret).

A keyring that holds a damaged secret, or another store's, is a fault of this computer, not
of the person signing in: it is told apart from a wrong password (by its length, and by a
check value in the key file, an HMAC that tells the right secret without revealing it) and
never counts toward lockout.
"""

import base64
import binascii
import hmac
import secrets
import shlex
from typing import Protocol

import keyring.errors
from keyring.backend import KeyringBackend

from app.errors import DeviceSecretMissing, DeviceSecretWrong, KeyringUnavailable
from app.store.keyfile import KeyFile
from app.store.own_command import this_command

SERVICE = "Hearth store device secret"
SECRET_BYTES = 32
RE_ENROL = ("An IT admin can re-enrol this computer with the recovery key: "
            "hearth recover --user NAME")


def headless_hint() -> str:
    """What to do without a desktop keyring, with a recipe to paste as it stands: it runs
    this very command by its full path (a venv's `hearth` is not on PATH), asks for the
    keyring's password instead of reading an unset variable (which gives "Prompt
    dismissed"), and starts the keyring daemon in the foreground inside `dbus-run-session`,
    so it ends with the session instead of staying behind."""
    script = (
        'read -rsp "Keyring password: " pw; echo; '
        'exec 3< <(printf %s "$pw" | gnome-keyring-daemon --foreground --unlock '
        '--components=secrets 2>/dev/null); read -r _ <&3; '
        f"{shlex.join(this_command())}"
    )
    return (
        "On a desktop, log in to a session that runs GNOME Keyring or KWallet. On a headless "
        "Linux machine install gnome-keyring and dbus, then run the command inside a keyring "
        "session, typing the keyring's own password (the same each time): "
        f"dbus-run-session -- bash -c {shlex.quote(script)}"
    )


def _is_insecure(backend: KeyringBackend) -> bool:
    """Backends that keep nothing (fail, null) or keep secrets in a readable file."""
    kind = _kind(backend)
    return (
        kind.startswith(("keyring.backends.fail.", "keyring.backends.null."))
        or "Plaintext" in kind
        or getattr(backend, "priority", 1) <= 0
    )


class DeviceSecrets(Protocol):
    """Where a store's device secret is kept: the OS keyring (KeyringSecrets), or for the
    demo clinic only, perhaps a file (app.store.demo_secret)."""

    def create(self, store_id: str) -> bytes: ...

    def get(self, store_id: str) -> bytes: ...

    def forget(self, store_id: str) -> None: ...


class KeyringSecrets:
    """Creates, reads and forgets device secrets in one keyring backend."""

    def __init__(self, backend: KeyringBackend):
        if _is_insecure(backend):
            raise KeyringUnavailable(
                f"No usable OS keyring is available (found {_kind(backend)}); Hearth "
                f"keeps each store's device secret there and never in a plain file. "
                f"{headless_hint()}"
            )
        self._backend = backend

    def create(self, store_id: str) -> bytes:
        secret = secrets.token_bytes(SECRET_BYTES)
        self._call(self._backend.set_password, SERVICE, store_id, _encode(secret))
        return secret

    def get(self, store_id: str) -> bytes:
        stored = self._call(self._backend.get_password, SERVICE, store_id)
        if stored is None:
            raise DeviceSecretMissing(
                f"This computer's keyring holds no device secret for store {store_id}. The "
                "store was made on another computer, or the keyring was reset. An IT admin "
                "can re-enrol it with the recovery key: hearth recover --user NAME"
            )
        try:
            secret = base64.b64decode(stored, validate=True)
        except (binascii.Error, ValueError):
            raise _damaged(store_id, "not base64") from None
        if len(secret) != SECRET_BYTES:
            raise _damaged(store_id, f"{len(secret)} bytes, not {SECRET_BYTES}")
        return secret

    def forget(self, store_id: str) -> None:
        try:
            self._backend.delete_password(SERVICE, store_id)
        except keyring.errors.PasswordDeleteError:
            pass

    def _call(self, method, *args):
        try:
            return method(*args)
        except keyring.errors.KeyringError as exc:
            said = str(exc) or type(exc).__name__
            if any(word in said.lower() for word in ("unlock", "prompt dismissed")):
                raise KeyringUnavailable(
                    f"The OS keyring is locked and could not be unlocked here ({said}): was "
                    f"the keyring password wrong? {headless_hint()}") from exc
            raise KeyringUnavailable(
                f"The OS keyring did not answer ({said}). {headless_hint()}") from exc


def check_value(secret: bytes, store_id: str) -> str:
    """What the key file keeps to recognise this store's device secret: an HMAC under the
    secret, from which the secret cannot be recovered."""
    digest = hmac.digest(secret, f"hearth device secret check v1/{store_id}".encode(), "sha256")
    return base64.b64encode(digest[:16]).decode("ascii")


def check_device_secret(keyfile: KeyFile, secret: bytes) -> None:
    """Refuse a secret the key file's check value says is not this store's (no check value
    yet: a store last opened before there was one, so nothing can be said)."""
    store_id, expected = keyfile.store_id, keyfile.device_check
    if expected is not None and not hmac.compare_digest(check_value(secret, store_id), expected):
        raise DeviceSecretWrong(
            f"This computer's keyring holds a device secret that is not store {store_id}'s "
            "(the key file's check value differs), so no password can open it; no failed "
            f"login was counted. {RE_ENROL}")


def remember_device_secret(keyfile: KeyFile, secret: bytes) -> None:
    """After the secret opened a wrap (so it is the right one): keep its check value."""
    value = check_value(secret, keyfile.store_id)
    if keyfile.device_check != value:
        keyfile.device_check = value
        keyfile.save()


def _damaged(store_id: str, what: str) -> DeviceSecretWrong:
    return DeviceSecretWrong(
        f"This computer's keyring holds a damaged device secret for store {store_id} ({what}); "
        f"no password can open the store with it and no failed login was counted. {RE_ENROL}")


def _kind(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _encode(secret: bytes) -> str:
    return base64.b64encode(secret).decode("ascii")
