"""Key wrapping: what opens the data key, and what does not."""

import pytest

from app.errors import UsageError
from app.store.keys import (
    KdfCost,
    UnwrapFailed,
    new_data_key,
    new_recovery_key,
    unwrap_with_password,
    unwrap_with_recovery_key,
    wrap_with_password,
    wrap_with_recovery_key,
)

CHEAP = KdfCost(time_cost=1, memory_kib=8192, parallelism=1)
SECRET = b"d" * 32


def test_password_and_device_secret_open_the_wrap():
    key = new_data_key()
    wrap = wrap_with_password(key, "pass word", SECRET, CHEAP, "store/user/ann")
    assert unwrap_with_password(wrap, "pass word", SECRET, "store/user/ann") == key
    assert len(key) == 32


@pytest.mark.parametrize("password, secret, context", [
    ("wrong", SECRET, "store/user/ann"),             # wrong password
    ("pass word", b"e" * 32, "store/user/ann"),      # same password on another computer
    ("pass word", SECRET, "store/user/bob"),         # wrap copied to another user's slot
])
def test_anything_else_does_not(password, secret, context):
    wrap = wrap_with_password(new_data_key(), "pass word", SECRET, CHEAP, "store/user/ann")
    with pytest.raises(UnwrapFailed):
        unwrap_with_password(wrap, password, secret, context)


def test_wrap_holds_no_key_material_in_the_clear():
    key = new_data_key()
    wrap = wrap_with_password(key, "pass word", SECRET, CHEAP, "ctx")
    assert key.hex() not in str(wrap) and "pass word" not in str(wrap)


def test_recovery_key_opens_its_wrap_typed_loosely():
    key, recovery = new_data_key(), new_recovery_key()
    wrap = wrap_with_recovery_key(key, recovery, "store/recovery")
    typed = recovery.lower().replace("-", " ")
    assert unwrap_with_recovery_key(wrap, typed, "store/recovery") == key
    with pytest.raises(UnwrapFailed):
        unwrap_with_recovery_key(wrap, new_recovery_key(), "store/recovery")


def test_garbage_recovery_key_is_named():
    with pytest.raises(UsageError, match="not a Hearth recovery key"):
        wrap_with_recovery_key(new_data_key(), "hunter2", "ctx")
