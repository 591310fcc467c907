"""The per-store device secret, kept in the operating system's keyring.

The data key is wrapped under the user's password *and* this secret, so a copied store
plus a stolen password still opens nothing on another computer. The secret never touches a
plain file: backends that would store it in the clear are refused (fail closed).
"""

import base64
import secrets

import keyring.errors
from keyring.backend import KeyringBackend

from app.errors import DeviceSecretMissing, KeyringUnavailable

SERVICE = "Hearth store device secret"
HEADLESS_HINT = (
    "On a desktop, log in to a session that runs GNOME Keyring or KWallet. On a headless "
    "Linux machine install gnome-keyring and dbus and start Hearth inside a keyring session: "
    "dbus-run-session -- sh -c 'printf %s \"$KEYRING_PASSWORD\" | "
    "gnome-keyring-daemon --unlock --components=secrets >/dev/null; hearth ...'"
)


def _is_insecure(backend: KeyringBackend) -> bool:
    """Backends that keep nothing (fail, null) or keep secrets in a readable file."""
    kind = _kind(backend)
    return (
        kind.startswith(("keyring.backends.fail.", "keyring.backends.null."))
        or "Plaintext" in kind
        or getattr(backend, "priority", 1) <= 0
    )


class DeviceSecrets:
    """Creates, reads and forgets device secrets in one keyring backend."""

    def __init__(self, backend: KeyringBackend):
        if _is_insecure(backend):
            raise KeyringUnavailable(
                f"No usable OS keyring is available (found {_kind(backend)}); Hearth "
                f"keeps each store's device secret there and never in a plain file. "
                f"{HEADLESS_HINT}"
            )
        self._backend = backend

    def create(self, store_id: str) -> bytes:
        secret = secrets.token_bytes(32)
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
        return base64.b64decode(stored)

    def forget(self, store_id: str) -> None:
        try:
            self._backend.delete_password(SERVICE, store_id)
        except keyring.errors.PasswordDeleteError:
            pass

    def _call(self, method, *args):
        try:
            return method(*args)
        except keyring.errors.KeyringError as exc:
            raise KeyringUnavailable(
                f"The OS keyring did not answer ({exc or type(exc).__name__}). {HEADLESS_HINT}"
            ) from exc


def _kind(backend: KeyringBackend) -> str:
    return f"{type(backend).__module__}.{type(backend).__name__}"


def _encode(secret: bytes) -> str:
    return base64.b64encode(secret).decode("ascii")
