"""The demo clinic's device secret: the OS keyring where one works, else a 0600 file beside
the demo store; a demo keeps whichever it was made with. Real keyring: tests/conftest.py."""

import stat

import pytest
from keyring.backends import SecretService, fail

from app.errors import KeyringUnavailable
from app.store.demo_secret import DemoSecrets, demo_secret_file
from app.store.device_secret import SERVICE, KeyringSecrets

STORE_ID = "5b0c3e1e-0000-4000-8000-000000000001"


@pytest.fixture
def keyring_backend(keyring_session):
    backend = SecretService.Keyring()
    yield backend
    KeyringSecrets(backend).forget(STORE_ID)


def test_without_a_keyring_the_demo_secret_is_a_file_only_its_owner_reads(tmp_path):
    demo = DemoSecrets(fail.Keyring, tmp_path / "demo")

    secret = demo.create(STORE_ID)

    assert demo.get(STORE_ID) == secret and demo.in_file(STORE_ID)
    mode = stat.S_IMODE(demo_secret_file(tmp_path / "demo").stat().st_mode)
    assert mode == 0o600


def test_a_demo_made_with_the_file_still_opens_when_a_keyring_appears(tmp_path,
                                                                      keyring_backend):
    secret = DemoSecrets(fail.Keyring, tmp_path / "demo").create(STORE_ID)

    later = DemoSecrets(lambda: keyring_backend, tmp_path / "demo")

    assert later.get(STORE_ID) == secret
    assert keyring_backend.get_password(SERVICE, STORE_ID) is None


def test_where_the_keyring_works_the_demo_keeps_its_secret_there(tmp_path, keyring_backend):
    demo = DemoSecrets(lambda: keyring_backend, tmp_path / "demo")

    secret = demo.create(STORE_ID)

    assert not demo.in_file(STORE_ID) and not demo.file.exists()
    assert demo.get(STORE_ID) == secret


def test_a_demo_made_in_the_keyring_says_so_where_no_keyring_can_be_reached(tmp_path,
                                                                            keyring_backend):
    DemoSecrets(lambda: keyring_backend, tmp_path / "demo").create(STORE_ID)

    with pytest.raises(KeyringUnavailable) as refused:
        DemoSecrets(fail.Keyring, tmp_path / "demo").get(STORE_ID)

    assert f"The demo clinic at {tmp_path / 'demo'} keeps its device secret in an OS " \
           "keyring that cannot be reached here" in refused.value.message
    assert "delete that folder to make a new demo clinic" in refused.value.message


def test_forgetting_an_unfinished_demo_removes_its_file(tmp_path):
    demo = DemoSecrets(fail.Keyring, tmp_path / "demo")
    demo.create(STORE_ID)

    demo.forget(STORE_ID)

    assert not demo.file.exists()
