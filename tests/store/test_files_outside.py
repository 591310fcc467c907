"""Files outside the encrypted database, which anyone with a shell can edit: keys.json and
the keyring's device secret. Each fault is one sentence naming the file or the keyring, exit
5, never "unexpected error", never "Wrong password", and never counted toward lockout."""

import base64
import json
import time
from pathlib import Path

import pytest
from keyring.backends import SecretService

from app.bootstrap import open_workstation, recover_store
from app.errors import DeviceSecretWrong, StoreCorrupt
from app.store.device_secret import SERVICE
from tests.cli.test_cli import hearth, refused, store  # noqa: F401 (fixtures)
from tests.conftest import ADMIN_PASSWORD


def password_kdf_path(content: dict) -> list:
    """The path (keys and indexes) of the first argon2id kdf object in the key file."""
    def walk(value, path):
        items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(
            value, list) else ()
        for key, item in items:
            if key == "kdf" and isinstance(item, dict) and item.get("alg") == "argon2id":
                return [*path, key]
            if (found := walk(item, [*path, key])) is not None:
                return found
        return None
    return walk(content, [])


def dotted(path: list) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}" if text else part
    return text


def edit_key_file(store_dir: Path, edit) -> str:
    """Apply `edit(content, kdf_object)` to keys.json; returns the kdf's dotted path."""
    path = store_dir / "keys.json"
    content = json.loads(path.read_text())
    kdf_path = password_kdf_path(content)
    kdf = content
    for part in kdf_path:
        kdf = kdf[part]
    edit(content, kdf)
    path.write_text(json.dumps(content))
    return dotted(kdf_path)


def b64(n: int) -> str:
    return base64.b64encode(bytes(n)).decode()


EDITS = {  # what was edited: (the edit, the field named, what the sentence says of it)
    "forever": (lambda c, k: k.update(time_cost=2**31 - 1), "time_cost",
                "is 2147483647, outside 1 to 10"),
    "text cost": (lambda c, k: k.update(time_cost="3"), "time_cost", "is '3', outside 1 to 10"),
    "no memory": (lambda c, k: k.update(memory_kib=0), "memory_kib",
                  "is 0, outside 8 to 4,194,304"),
    "huge memory": (lambda c, k: k.update(memory_kib=2**40), "memory_kib",
                    "is 1099511627776, outside 8 to 4,194,304"),
    "no lanes": (lambda c, k: k.update(parallelism=0), "parallelism", "is 0, outside 1 to 16"),
    "salt not base64": (lambda c, k: k.update(salt="!!"), "salt", "is '!!', not base64"),
    "short salt": (lambda c, k: k.update(salt=b64(8)), "salt", "holds 8 bytes, not 16"),
    "no salt": (lambda c, k: k.pop("salt"), "salt", "is missing"),
    "no kdf alg": (lambda c, k: k.pop("alg"), "alg", "is missing"),
}


@pytest.mark.parametrize("edit", EDITS)
def test_an_edited_key_file_is_named_field_by_field(admin, env, store_dir, edit):
    admin.close()
    change, field, problem = EDITS[edit]
    kdf = edit_key_file(store_dir, change)
    started = time.monotonic()
    with pytest.raises(StoreCorrupt) as refusal:
        open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
    assert time.monotonic() - started < 2
    assert refusal.value.message == (
        f"The key file {store_dir / 'keys.json'} is damaged: {kdf}.{field} {problem}. Nobody "
        "can sign in until it is restored from a backup of the store directory; nothing was "
        "changed.")


@pytest.mark.parametrize("change, sentence", [
    (lambda c: c.clear() or c.update(format=1), "store_id is missing"),
    (lambda c: c.update(store_id=5), "store_id is 5, not a store id"),
    (lambda c: c.update(users=[]), "users is [], not an object of users"),
    (lambda c: c.update(users={"nina": {}}), "users.nina is {}, not a list of up to 2 wraps"),
    (lambda c: c.update(recovery={"kdf": {"alg": "hkdf-sha256"}, "nonce": b64(12)}),
     "recovery.sealed_key is missing"),
    (lambda c: c.update(recovery={"kdf": {"alg": "hkdf-sha256"}, "nonce": b64(11),
                                  "sealed_key": b64(48)}), "recovery.nonce holds 11 bytes"),
    (lambda c: c.update(recovery={"kdf": {"alg": "hkdf-sha256"}, "nonce": b64(12),
                                  "sealed_key": b64(47)}), "recovery.sealed_key holds 47 bytes"),
])
def test_the_rest_of_the_key_file_is_checked_too(admin, env, store_dir, change, sentence):
    admin.close()
    edit_key_file(store_dir, lambda content, _: change(content))
    with pytest.raises(StoreCorrupt) as refusal:
        open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
    assert f"keys.json is damaged: {sentence}" in refusal.value.message


def test_a_huge_key_file_is_refused_without_reading_it_all(admin, env, store_dir):
    admin.close()
    (store_dir / "keys.json").write_bytes(b" " * (5 * 2**20) + b"{}")
    with pytest.raises(StoreCorrupt, match="the file is larger than 4 MB"):
        open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)


def test_the_cli_says_so_at_once_for_a_key_file_that_would_run_forever(hearth, store):
    assert hearth("init", "--admin", "admin", password=ADMIN_PASSWORD).returncode == 0
    edit_key_file(store, lambda _, kdf: kdf.update(time_cost=2**31 - 1))
    line = refused(hearth("--user", "admin", "user", "list", password=ADMIN_PASSWORD), 5,
                   "hearth: Store damaged: The key file", "time_cost is 2147483647")
    assert "unexpected" not in line


def keyring_secret(store_id: str, value: str | None) -> None:
    if value is None:
        SecretService.Keyring().delete_password(SERVICE, store_id)
    else:
        SecretService.Keyring().set_password(SERVICE, store_id, value)


@pytest.mark.parametrize("stored, sentence", [
    (b64(16), "keyring holds a damaged device secret for store {id} (16 bytes, not 32)"),
    ("not base64!", "keyring holds a damaged device secret for store {id} (not base64)"),
    (b64(32), "keyring holds a device secret that is not store {id}'s (the key file's check "
              "value differs)"),
])
def test_a_bad_device_secret_is_the_keyrings_fault_and_never_locks_the_user(
        admin, env, store_dir, stored, sentence):
    """More attempts than the lockout allows, then the right secret back: the admin is not
    locked out, because no attempt was counted against her."""
    store_id = admin.store.store_id
    admin.close()
    right = SecretService.Keyring().get_password(SERVICE, store_id)
    keyring_secret(store_id, stored)
    for _ in range(env.policy.failed_logins_before_lock + 1):
        with pytest.raises(DeviceSecretWrong) as refusal:
            open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
        assert sentence.format(id=store_id) in refusal.value.message
        assert refusal.value.exit_code == 5 and "hearth recover" in refusal.value.message
    keyring_secret(store_id, right)
    open_workstation(env, store_dir, "admin", ADMIN_PASSWORD).close()


def test_recovery_re_enrols_a_computer_whose_keyring_holds_the_wrong_secret(
        admin, env, store_dir):
    key = admin.create_recovery_key()
    store_id = admin.store.store_id
    admin.close()
    keyring_secret(store_id, b64(32))
    done = recover_store(env, store_dir, key, "admin", "a new admin password")
    assert done.reenrolled
    open_workstation(env, store_dir, "admin", "a new admin password").close()
