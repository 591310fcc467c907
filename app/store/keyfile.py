"""The store's key file: the only place the data key exists at rest, and only wrapped.

It holds the store id (which names the device secret in the keyring) and, from format 2:
- identities: per user, an X25519 key pair, the private half wrapped under the password;
- generations: the data key sealed to each user's and the recovery public key. There are
  two generations only while a key rotation is under way (app.store.rotation);
- role_signing: the admins' Ed25519 key, its private half sealed to each admin;
- recovery_public: the public half of the IT recovery key's X25519 key.
A format-1 file's per-user data-key wraps ("users") and recovery wrap are read as they are
and dropped once their holders are upgraded or the key is rotated. The file holds nothing
that opens the store by itself.
"""

from pathlib import Path

import orjson

from app.errors import StoreCorrupt, StoreNotFound
from app.store.files import replace_file
from app.store.keyfile_checks import check_key_file, read_key_file

FORMAT = 2
READABLE_FORMATS = (1, 2)


class KeyFile:
    def __init__(self, path: Path, content: dict):
        self.path = path
        self._content = content

    @classmethod
    def new(cls, path: Path, store_id: str) -> "KeyFile":
        return cls(path, {"format": FORMAT, "store_id": store_id, "users": {}, "recovery": None,
                          "identities": {}, "generations": [], "role_signing": None,
                          "recovery_public": None})

    @classmethod
    def load(cls, path: Path) -> "KeyFile":
        try:
            content = orjson.loads(read_key_file(path))
        except FileNotFoundError:
            raise StoreNotFound(
                f"No Hearth store at {path.parent}. Create one with: hearth init --admin NAME"
            ) from None
        except orjson.JSONDecodeError as exc:
            raise StoreCorrupt(
                f"The key file {path} is damaged ({exc}). Restore it from a backup of the store "
                "directory; nothing was changed."
            ) from None
        if not isinstance(content, dict) or content.get("format") not in READABLE_FORMATS:
            raise StoreCorrupt(f"The key file {path} is not a Hearth key file (format 1 or 2).")
        check_key_file(content, path)
        for field, empty in (("identities", {}), ("generations", []), ("role_signing", None),
                             ("recovery_public", None)):
            content.setdefault(field, empty)
        content["format"] = FORMAT
        return cls(path, content)

    @property
    def store_id(self) -> str:
        return self._content["store_id"]

    def user_names(self) -> list[str]:
        return sorted({*self._content["users"], *self._content["identities"]})

    def identities(self, name: str) -> list[dict]:
        """The user's key pairs, newest last: two only while a password change is under way."""
        return list(self._content["identities"].get(name, []))

    def set_identities(self, name: str, identities: list[dict]) -> None:
        self._content["identities"][name] = identities

    @property
    def generations(self) -> list[dict]:
        """The sealed data keys, oldest first: two only while a rotation is under way."""
        return list(self._content["generations"])

    @generations.setter
    def generations(self, generations: list[dict]) -> None:
        self._content["generations"] = generations

    @property
    def role_signing(self) -> dict | None:
        return self._content["role_signing"]

    @role_signing.setter
    def role_signing(self, value: dict | None) -> None:
        self._content["role_signing"] = value

    @property
    def recovery_public(self) -> str | None:
        return self._content["recovery_public"]

    @recovery_public.setter
    def recovery_public(self, value: str | None) -> None:
        self._content["recovery_public"] = value

    def user_wraps(self, name: str) -> list[dict]:
        """A format-1 user's wraps of the data key itself, until their next sign-in."""
        return list(self._content["users"].get(name, []))

    def set_user_wraps(self, name: str, wraps: list[dict]) -> None:
        self._content["users"][name] = wraps

    def remove_user(self, name: str) -> None:
        self._content["users"].pop(name, None)
        self._content["identities"].pop(name, None)

    @property
    def recovery_wrap(self) -> dict | None:
        return self._content["recovery"]

    @recovery_wrap.setter
    def recovery_wrap(self, wrap: dict | None) -> None:
        self._content["recovery"] = wrap

    @property
    def device_check(self) -> str | None:
        """Recognises this store's device secret (app.store.device_secret.check_value)."""
        return self._content.get("device_check")

    @device_check.setter
    def device_check(self, value: str) -> None:
        self._content["device_check"] = value

    def save(self) -> None:
        replace_file(self.path, orjson.dumps(self._content, option=orjson.OPT_INDENT_2))


def user_context(store_id: str, name: str) -> str:
    return f"hearth/{store_id}/user/{name}"


def recovery_context(store_id: str) -> str:
    return f"hearth/{store_id}/recovery"


def identity_context(store_id: str, name: str) -> str:
    return f"hearth/{store_id}/user/{name}/identity"


RECOVERY_HOLDER = "recovery"


def holder(name: str | None) -> str:
    """A sealed key's holder in its associated data: a user, or (None) the recovery key."""
    return RECOVERY_HOLDER if name is None else f"user/{name}"


def data_key_context(store_id: str, generation: str, holder: str) -> str:
    return f"hearth/{store_id}/data-key/{generation}/{holder}"


def signing_context(store_id: str, signing_public: str, holder: str) -> str:
    """The role-signing public key is bound in: a swapped one makes the admins' copies fail."""
    return f"hearth/{store_id}/role-signing/{signing_public}/{holder}"
