"""User records signed by the admins: a user who rewrites her role is refused at sign-in."""

import orjson
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import text

from app.bootstrap import open_workstation
from app.errors import StoreCorrupt, UserLocked
from app.security.role_signing import RoleKeyReplaced, RoleRecordRejected, sign_rows
from app.store.identity import new_identity, open_identity
from app.store.keyfile import KeyFile, user_context
from app.store.keys import wrap_with_password
from app.store.paths import StorePaths
from app.store.sealing import signing_public_key
from tests.conftest import ADMIN_PASSWORD, password_of


@pytest.fixture
def clinic(admin):
    for name, role in (("fran", "front-desk"), ("pat", "physician")):
        admin.users.add(admin.session, name, name.title(), role, password_of(name))
    return admin


def as_fran(env, store_dir, statement: str) -> None:
    """Front desk, signed in, writes straight into the database (a shell and her password)."""
    fran = open_workstation(env, store_dir, "fran", password_of("fran"))
    with fran.store.write() as conn:
        conn.exec_driver_sql(statement)
    fran.close()


def login_failures(env, store_dir) -> list[tuple]:
    admin = open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
    with admin.store.read() as conn:
        rows = conn.execute(text("SELECT user, detail FROM audit WHERE action = 'login' "
                                 "AND outcome = 'failure'")).all()
    admin.close()
    return [tuple(r) for r in rows]


def test_front_desk_who_makes_herself_admin_is_refused_and_audited(clinic, env, store_dir):
    as_fran(env, store_dir, "UPDATE app_user SET role = 'admin' WHERE name = 'fran'")
    with pytest.raises(RoleRecordRejected, match="account record of 'fran' was changed outside"):
        open_workstation(env, store_dir, "fran", password_of("fran"))
    assert ("fran", "account record does not match the admins' signature") in login_failures(
        env, store_dir)


def test_copying_the_admins_signature_into_her_row_does_not_help(clinic, env, store_dir):
    as_fran(env, store_dir, "UPDATE app_user SET role = 'admin', signature = "
            "(SELECT signature FROM app_user WHERE name = 'admin') WHERE name = 'fran'")
    with pytest.raises(RoleRecordRejected):
        open_workstation(env, store_dir, "fran", password_of("fran"))


def test_a_locked_user_unlocked_in_the_database_still_cannot_open_it(clinic, env, store_dir):
    clinic.users.lock(clinic.session, "pat")
    as_fran(env, store_dir, "UPDATE app_user SET locked = 0 WHERE name = 'pat'")
    with pytest.raises(UserLocked, match="'pat' is locked by an admin"):
        open_workstation(env, store_dir, "pat", password_of("pat"))


def test_a_swapped_signing_key_works_for_her_until_the_next_admin_sign_in(
        clinic, env, store_dir):
    """What an insider who also replaces the public key in keys.json gets: her forged role,
    until an admin signs in; then the replaced key is named."""
    paths = StorePaths(store_dir)
    clinic.close()
    fran = open_workstation(env, store_dir, "fran", password_of("fran"))
    forged = Ed25519PrivateKey.generate().private_bytes_raw()
    keyfile, secret = fran.store.keyfile, fran.store.device_secret
    keyfile.role_signing = {**keyfile.role_signing, "public": signing_public_key(forged)}
    private = open_identity(keyfile.identities("fran")[0], password_of("fran"), secret,
                            keyfile.store_id, "fran", paths.key_file)
    keyfile.set_identities("fran", [new_identity(  # her own key pair: she knows her password
        password_of("fran"), secret, env.policy.kdf, keyfile.store_id, "fran",
        signing_public_key(forged), private)])
    keyfile.save()
    with fran.store.write() as conn:
        conn.exec_driver_sql("UPDATE app_user SET role = 'admin' WHERE name = 'fran'")
        sign_rows(conn, keyfile.store_id, forged, [fran.store.generation])
    fran.close()
    assert open_workstation(env, store_dir, "fran", password_of("fran")).session.role == "admin"
    with pytest.raises(RoleKeyReplaced, match="role-signing key in .* is not the one 'admin'"):
        open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)
    with pytest.raises(RoleKeyReplaced):  # and at any other user's sign-in
        open_workstation(env, store_dir, "pat", password_of("pat"))
    assert KeyFile.load(paths.key_file).role_signing["public"] == signing_public_key(forged)


def test_a_store_from_before_key_pairs_is_upgraded_user_by_user(clinic, env, store_dir):
    """Format-1 key file (each user's wrap of the data key itself), unsigned rows: each
    sign-in upgrades its user; a rotation names those not yet upgraded."""
    key, secret = clinic.store.data_key, clinic.store.device_secret
    paths = StorePaths(store_dir)
    with clinic.store.write() as conn:
        conn.exec_driver_sql("UPDATE app_user SET signature = NULL")
    clinic.store.close()
    content = orjson.loads(paths.key_file.read_bytes())
    content = {"format": 1, "store_id": content["store_id"], "recovery": None, "users": {
        name: [wrap_with_password(key, password_of(name) if name != "admin" else
                                  ADMIN_PASSWORD, secret, env.policy.kdf,
                                  user_context(content["store_id"], name))]
        for name in ("admin", "fran", "pat")}}
    paths.key_file.write_bytes(orjson.dumps(content))
    open_workstation(env, store_dir, "fran", password_of("fran")).close()
    admin = open_workstation(env, store_dir, "admin", ADMIN_PASSWORD)  # signs the rows
    rotated = admin.users.lock(admin.session, "fran")
    assert rotated.need_password == ["pat"]
    with pytest.raises(Exception, match="'pat' has no password.* hearth user passwd pat"):
        open_workstation(env, store_dir, "pat", password_of("pat"))
    admin.users.change_password(admin.session, "pat", "pat new pass 2")
    assert open_workstation(env, store_dir, "pat", "pat new pass 2").session.role == "physician"
    assert KeyFile.load(paths.key_file).user_wraps("admin") == []


def test_a_demoted_admin_cannot_put_her_old_signed_row_back(clinic, env, store_dir):
    clinic.users.set_role(clinic.session, "pat", "admin")
    pat = open_workstation(env, store_dir, "pat", password_of("pat"))
    assert pat.session.role == "admin" and pat.store.signer is not None
    with pat.store.read() as conn:
        admin_row = conn.exec_driver_sql(
            "SELECT role, signature FROM app_user WHERE name = 'pat'").one()
    pat.close()
    clinic.users.set_role(clinic.session, "pat", "physician")
    pat = open_workstation(env, store_dir, "pat", password_of("pat"))
    assert pat.session.role == "physician" and pat.store.signer is None
    with pat.store.write() as conn:  # she kept a copy of her row from when she was admin
        conn.exec_driver_sql("UPDATE app_user SET role = ?, signature = ? WHERE name = 'pat'",
                             tuple(admin_row))
    pat.close()
    with pytest.raises(RoleRecordRejected):
        open_workstation(env, store_dir, "pat", password_of("pat"))


def test_an_edited_key_pair_is_named_not_blamed_on_the_password(clinic, env, store_dir):
    paths = StorePaths(store_dir)
    content = orjson.loads(paths.key_file.read_bytes())
    content["identities"]["fran"][0]["signer"] = None  # unbind the signing key she was given
    paths.key_file.write_bytes(orjson.dumps(content))
    with pytest.raises(StoreCorrupt, match="The key of 'fran' in .* was edited outside Hearth"):
        open_workstation(env, store_dir, "fran", password_of("fran"))
