"""The store's key file: the only place the data key exists at rest, and only wrapped.

It holds the store id (which names the device secret in the keyring), each user's wraps
and the optional recovery wrap. It holds nothing that opens the store by itself. A user has
two wraps only for the instant of a password change (see app.security.users).
"""

from pathlib import Path

import orjson

from app.errors import StoreCorrupt, StoreNotFound
from app.store.files import replace_file

FORMAT = 1


class KeyFile:
    def __init__(self, path: Path, content: dict):
        self.path = path
        self._content = content

    @classmethod
    def new(cls, path: Path, store_id: str) -> "KeyFile":
        return cls(path, {"format": FORMAT, "store_id": store_id, "users": {}, "recovery": None})

    @classmethod
    def load(cls, path: Path) -> "KeyFile":
        try:
            content = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            raise StoreNotFound(
                f"No Hearth store at {path.parent}. Create one with: hearth init --admin NAME"
            ) from None
        except orjson.JSONDecodeError as exc:
            raise StoreCorrupt(
                f"The key file {path} is damaged ({exc}). Restore it from a backup of the store "
                "directory; nothing was changed."
            ) from None
        if not isinstance(content, dict) or content.get("format") != FORMAT:
            raise StoreCorrupt(f"The key file {path} is not a Hearth key file (format 1).")
        return cls(path, content)

    @property
    def store_id(self) -> str:
        return self._content["store_id"]

    def user_names(self) -> list[str]:
        return sorted(self._content["users"])

    def user_wraps(self, name: str) -> list[dict]:
        return list(self._content["users"].get(name, []))

    def set_user_wraps(self, name: str, wraps: list[dict]) -> None:
        self._content["users"][name] = wraps

    def remove_user(self, name: str) -> None:
        self._content["users"].pop(name, None)

    @property
    def recovery_wrap(self) -> dict | None:
        return self._content["recovery"]

    @recovery_wrap.setter
    def recovery_wrap(self, wrap: dict | None) -> None:
        self._content["recovery"] = wrap

    def save(self) -> None:
        replace_file(self.path, orjson.dumps(self._content, option=orjson.OPT_INDENT_2))


def user_context(store_id: str, name: str) -> str:
    return f"hearth/{store_id}/user/{name}"


def recovery_context(store_id: str) -> str:
    return f"hearth/{store_id}/recovery"
