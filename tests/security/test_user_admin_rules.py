"""An admin's rules for accounts, as the command line and the Users section both meet them:
Hearth keeps an admin who can sign in, and a password an admin chose is changed by its user
at her next sign-in."""

import pytest

from app.errors import UsageError
from app.security.login import log_in
from app.store.paths import StorePaths
from tests.conftest import password_of, sign_in

LAST = "Hearth needs at least one admin: add another admin before {}."


def test_the_last_admin_is_neither_demoted_nor_locked(admin, env, store_dir):
    sign_in(admin, env, store_dir, "bea", "admin").store.close()
    admin.users.set_role(admin.session, "bea", "physician")  # another admin is left
    with pytest.raises(UsageError) as demoted:
        admin.users.set_role(admin.session, "admin", "physician")
    assert demoted.value.message == LAST.format("changing admin's role")
    with pytest.raises(UsageError) as locked:
        admin.users.lock(admin.session, "admin")
    assert locked.value.message == LAST.format("locking admin")


def test_a_reset_password_signs_in_once_marked_for_a_change(admin, env, store_dir):
    sign_in(admin, env, store_dir, "nina", "nurse").store.close()
    admin.users.reset_password(admin.session, "nina", "temporary 1")
    paths, secrets, policy = StorePaths(store_dir), env.device_secrets(), env.effective_policy()
    with pytest.raises(Exception, match="Wrong password"):
        log_in(paths, "nina", password_of("nina"), secrets, policy)
    nina = log_in(paths, "nina", "temporary 1", secrets, policy)
    assert nina.must_change_password
    nina.store.close()
    assert [u.must_change_password for u in admin.users.list(admin.session)
            if u.name == "nina"] == [True]


def test_no_account_takes_the_name_the_trail_gives_the_sync(admin):
    with pytest.raises(UsageError) as refused:
        admin.users.add(admin.session, "sync", "Sync Service", "nurse", "sync pass 12")
    assert refused.value.message == ("'sync' is the name the audit trail gives to what sync "
                                     "does on its own; choose another user name.")
    assert "sync" not in [u.name for u in admin.users.list(admin.session)]
