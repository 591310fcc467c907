"""The demo clinic's device secret: in the OS keyring where one works, else in a file.

Every real store keeps its device secret only in the OS keyring, so that a copied store
plus a stolen password opens nothing elsewhere (app.store.device_secret). The demo clinic
holds only synthetic patients, made up by Synthea, and its users' passwords are printed on
the screen; so on a machine with no usable keyring (no D-Bus session, a headless server) it
keeps its secret in a file beside the store instead, readable only by its owner (0600), and
says so: the window title and the sign-in screen read "Demo clinic: synthetic data, not
protected". Nothing that holds real patient data may ever be opened this way.

A demo made with the file keeps using the file when a keyring appears later, and a demo
made in the keyring keeps using the keyring (its secret is never moved); opened where that
keyring cannot be reached, it says so in a sentence.
"""

import base64
import binascii
import secrets
from collections.abc import Callable
from pathlib import Path

import keyring.errors
import orjson
from keyring.backend import KeyringBackend

from app.errors import DeviceSecretWrong, KeyringUnavailable
from app.store.device_secret import SECRET_BYTES, KeyringSecrets
from app.store.files import replace_file

NOT_PROTECTED = "Demo clinic: synthetic data, not protected"


def demo_secret_file(root: Path) -> Path:
    """Beside the demo store, not in it: the store is built in scratch folders and renamed
    into place, and the secret must not move with them."""
    return root.with_name(root.name + ".device-secret")


class DemoSecrets:
    """The demo clinic's device secret: the keyring's, unless the file holds it."""

    def __init__(self, keyring_backend: Callable[[], KeyringBackend], root: Path):
        self._keyring_backend = keyring_backend
        self.root, self.file = root, demo_secret_file(root)

    def create(self, store_id: str) -> bytes:
        """In the keyring where it works (and then any file left by an earlier demo goes),
        else in the file."""
        try:
            secret = self._keyring().create(store_id)
        except KeyringUnavailable:
            secret = secrets.token_bytes(SECRET_BYTES)
            self.file.parent.mkdir(parents=True, exist_ok=True)
            replace_file(self.file, orjson.dumps({
                "store_id": store_id, "secret": base64.b64encode(secret).decode("ascii"),
                "note": NOT_PROTECTED + ": this file opens the demo store without a keyring.",
            }))
            return secret
        self.file.unlink(missing_ok=True)
        return secret

    def get(self, store_id: str) -> bytes:
        if self.in_file(store_id):
            return self._read(store_id)
        try:
            return self._keyring().get(store_id)
        except KeyringUnavailable as err:
            raise KeyringUnavailable(
                f"The demo clinic at {self.root} keeps its device secret in an "
                "OS keyring that cannot be reached here. Start the demo in the desktop session "
                f"that made it, or delete that folder to make a new demo clinic ({err.message})"
            ) from err

    def forget(self, store_id: str) -> None:
        if self.in_file(store_id):
            self.file.unlink(missing_ok=True)
            return
        try:
            self._keyring().forget(store_id)
        except (KeyringUnavailable, keyring.errors.KeyringError):
            pass

    def in_file(self, store_id: str) -> bool:
        """Whether this store's secret is the file's (the demo is then not protected)."""
        return self._content().get("store_id") == store_id

    def _keyring(self) -> KeyringSecrets:
        try:
            return KeyringSecrets(self._keyring_backend())
        except keyring.errors.KeyringError as exc:  # e.g. a backend that cannot start
            raise KeyringUnavailable(f"The OS keyring did not start ({exc}).") from exc

    def _read(self, store_id: str) -> bytes:
        try:
            secret = base64.b64decode(self._content()["secret"], validate=True)
        except (KeyError, TypeError, binascii.Error, ValueError):
            secret = b""
        if len(secret) != SECRET_BYTES:
            raise DeviceSecretWrong(
                f"The demo clinic's device secret file {self.file} is damaged, so the demo "
                f"store {store_id} cannot be opened. Delete both to make a new demo clinic.")
        return secret

    def _content(self) -> dict:
        try:
            content = orjson.loads(self.file.read_bytes())
        except (FileNotFoundError, orjson.JSONDecodeError):
            return {}
        return content if isinstance(content, dict) else {}
