"""Key wrapping: what opens the data key, and what does not."""

import pytest

from app.errors import UsageError
from app.store.kdf_cost import KdfCost
from app.store.keys import (
    UnwrapFailed,
    WrapTampered,
    new_data_key,
    new_recovery_key,
    recovery_private_key,
    unwrap_with_password,
    wrap_with_password,
)
from app.store.sealing import new_private_key, open_sealed, public_key, seal

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


def test_recovery_key_opens_what_is_sealed_to_it_typed_loosely():
    key, recovery = new_data_key(), new_recovery_key()
    box = seal(key, public_key(recovery_private_key(recovery)), "store/data-key/g1/recovery")
    typed = recovery.lower().replace("-", " ")
    assert open_sealed(box, recovery_private_key(typed), "store/data-key/g1/recovery") == key
    with pytest.raises(UnwrapFailed):
        open_sealed(box, recovery_private_key(new_recovery_key()), "store/data-key/g1/recovery")


def test_garbage_recovery_key_is_named():
    with pytest.raises(UsageError, match="not a Hearth recovery key"):
        recovery_private_key("hunter2")


@pytest.mark.parametrize("other", ["another person's key", "another slot"])
def test_a_sealed_key_opens_only_for_its_holder_in_its_slot(other):
    key, mine = new_data_key(), new_private_key()
    box = seal(key, public_key(mine), "store/data-key/g1/user/ann")
    assert open_sealed(box, mine, "store/data-key/g1/user/ann") == key
    with pytest.raises(UnwrapFailed):
        if other == "another slot":
            open_sealed(box, mine, "store/data-key/g1/user/bob")
        else:
            open_sealed(box, new_private_key(), "store/data-key/g1/user/ann")


def test_an_edited_wrap_is_told_apart_from_a_wrong_password():
    wrap = wrap_with_password(new_data_key(), "pass word", SECRET, CHEAP, "ctx")
    with pytest.raises(WrapTampered):
        unwrap_with_password({**wrap, "nonce": "AAAAAAAAAAAAAAAA"}, "pass word", SECRET, "ctx")
    with pytest.raises(UnwrapFailed) as wrong:
        unwrap_with_password(wrap, "wrong", SECRET, "ctx")
    assert not isinstance(wrong.value, WrapTampered)
