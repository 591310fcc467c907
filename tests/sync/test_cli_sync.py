"""`hearth sync`, `hearth conflicts` and `hearth sync-credentials` as IT and clinicians meet
them: real processes, a real store, the real keyring and a real FHIR server."""

import json
from functools import partial

import httpx
import orjson
import pytest
from keyring.backends import SecretService

from app.bootstrap import open_workstation
from app.cli.commands import main
from sync.credentials import SyncCredentials
from sync.transport import Transport
from tests.cli.test_cli import NURSE_PASSWORD, clinic, hearth, store  # noqa: F401 (fixtures)
from tests.conftest import ADMIN_PASSWORD
from tests.sync.conftest import free_port, start_fhir_server, start_medplum_server
from tests.sync.faults import Fault, FaultyTransport, push_bundle
from tests.sync.policies import env_naming, name_servers
from tests.sync.stations import patient, sync, workstation
from tests.sync.test_auth import SECRET, server_auth
from tests.sync.test_sync_once_sends_everything import LEFT_QUEUED, every_entry_failed


def as_nina(env, store):
    return open_workstation(env, store, "nina", NURSE_PASSWORD)


def test_sync_once_sends_what_was_recorded_and_says_so(
        clinic, env, store, fresh_fhir_server, policy_file):
    ws = as_nina(env, store)
    ann = ws.patients.register(ws.session, patient("Okafor"))
    ws.close()
    name_servers(policy_file, fresh_fhir_server.base_url)
    done = clinic("--user", "nina", "sync", "--once", "--json", password=NURSE_PASSWORD)
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout.splitlines()[-1])
    assert (status["sent"], status["pending"], status["error"]) == (1, 0, None)
    assert httpx.get(f"{fresh_fhir_server.base_url}Patient/{ann['id']}").status_code == 200


def test_an_unreachable_server_exits_6_and_keeps_the_work(clinic, env, store, policy_file):
    ws = as_nina(env, store)
    ws.patients.register(ws.session, patient("Okafor"))
    ws.close()
    name_servers(policy_file, f"http://127.0.0.1:{free_port()}/fhir")
    done = clinic("--user", "nina", "sync", "--once", password=NURSE_PASSWORD)
    assert done.returncode == 6
    assert done.stderr.startswith("hearth: sync did not complete:")
    assert "Local work is kept" in done.stderr
    assert "Waiting: 1 changed records to send" in done.stdout


def test_sync_once_says_a_server_without_history_cannot_show_deletes(
        clinic, env, store, tmp_path, policy_file):
    ws = as_nina(env, store)
    ws.patients.register(ws.session, patient("Okafor"))
    ws.close()
    with start_medplum_server(tmp_path / "medplum") as server:
        name_servers(policy_file, server.base_url)
        done = clinic("--user", "nina", "sync", "--once", password=NURSE_PASSWORD)
    assert done.returncode == 0, done.stderr
    assert ("Note: This server keeps no history, so Hearth cannot see records deleted on it: "
            "they stay on this workstation until deleted here.") in done.stdout.splitlines()


def test_sync_once_exits_6_while_changes_are_still_queued(
        clinic, env, store, fresh_fhir_server, monkeypatch, capsys):
    """In process, so the server's answers can fail entry by entry at the transport."""
    ws = as_nina(env, store)
    ws.patients.register(ws.session, patient("Okafor"))
    ws.close()
    failing = FaultyTransport(httpx.HTTPTransport(),
                              [Fault(push_bundle, every_entry_failed, times=None)])
    monkeypatch.setattr("app.bootstrap.Transport", partial(Transport, transport=failing))
    monkeypatch.setenv("HEARTH_PASSWORD", NURSE_PASSWORD)
    code = main(["--store", str(store), "--user", "nina", "sync", "--once"],
                env=env_naming(env, fresh_fhir_server.base_url))
    out = capsys.readouterr()
    assert (code, out.err) == (6, f"hearth: sync did not complete: {LEFT_QUEUED}\n")
    assert "Waiting: 1 changed records to send" in out.out


def test_a_conflict_is_listed_shown_and_resolved_with_a_merged_file(
        clinic, env, store, tmp_path, fresh_fhir_server, policy_file):
    name_servers(policy_file, fresh_fhir_server.base_url)
    other = workstation(env, tmp_path / "other")
    ann = other.patients.register(other.session, patient("Okafor"))
    sync(other, fresh_fhir_server)
    ws = as_nina(env, store)
    sync(ws, fresh_fhir_server)
    for station, born in ((other, "1980-03-15"), (ws, "1981-03-14")):
        record = station.patients.get(station.session, ann["id"])
        station.patients.update(station.session, {**record, "birthDate": born})
    sync(other, fresh_fhir_server)
    sync(ws, fresh_fhir_server)
    ws.close()

    listed = clinic("--user", "nina", "conflicts", "list", "--json", password=NURSE_PASSWORD)
    [conflict] = json.loads(listed.stdout)
    assert (conflict["resource"], conflict["kind"]) == (f"Patient/{ann['id']}", "edit")
    shown = clinic("--user", "nina", "conflicts", "show", str(conflict["id"]),
                   password=NURSE_PASSWORD)
    assert "1981-03-14" in shown.stdout and "1980-03-15" in shown.stdout
    merged = tmp_path / "merged.json"
    merged.write_bytes(orjson.dumps({**other.patients.get(other.session, ann["id"]),
                                     "birthDate": "1980-03-16"}))
    resolved = clinic("--user", "nina", "conflicts", "resolve", str(conflict["id"]), "--keep",
                      "merged", str(merged), password=NURSE_PASSWORD)
    assert resolved.returncode == 0, resolved.stderr
    assert clinic("--user", "nina", "sync", "--once", password=NURSE_PASSWORD).returncode == 0
    server = httpx.get(f"{fresh_fhir_server.base_url}Patient/{ann['id']}").json()
    assert server["birthDate"] == "1980-03-16"
    other.close()


@pytest.mark.parametrize(("user", "password", "code"), [
    ("admin", None, 0), ("nina", NURSE_PASSWORD, 4)])
def test_only_an_admin_keeps_sync_credentials_in_the_keyring(
        clinic, keyring_session, user, password, code):
    done = clinic("--user", user, "sync-credentials", "--server", "https://fhir.example/fhir",
                  "--client-id", "clinic-7", "--secret-stdin", "--token-url",
                  "https://login.example/token", password=password or ADMIN_PASSWORD,
                  stdin="s3cret\n")
    assert done.returncode == code, done.stderr
    if code == 0:
        stored = SyncCredentials(SecretService.Keyring()).load("https://fhir.example/fhir",
                                                               "clinic-7")
        assert (stored.kind, stored.value, stored.token_url) == (
            "secret", "s3cret", "https://login.example/token")


def test_without_a_server_in_the_policy_sync_says_where_to_set_one(clinic):
    done = clinic("--user", "nina", "sync", "--once", password=NURSE_PASSWORD)
    assert done.returncode == 2
    assert done.stderr == ("hearth: Missing or invalid input: No sync server: IT sets "
                           "sync.server in the policy.\n")


@pytest.fixture
def secured_server(tmp_path):
    """A server that only answers clients signed in with the ward PC's secret."""
    with start_fhir_server(tmp_path / "secured", extra_yaml=server_auth()) as server:
        yield server


def test_a_client_secret_kept_by_the_admin_signs_sync_in_and_a_wrong_one_is_named(
        clinic, secured_server, policy_file):
    name_servers(policy_file, secured_server.base_url)

    def save(secret):
        return clinic("--user", "admin", "sync-credentials", "--server",
                      secured_server.base_url, "--client-id", "ward-pc", "--secret-stdin",
                      password=ADMIN_PASSWORD, stdin=f"{secret}\n")

    def sync_once():
        return clinic("--user", "nina", "sync", "--client-id", "ward-pc", "--once",
                      password=NURSE_PASSWORD)

    assert save(SECRET).returncode == 0
    assert sync_once().returncode == 0
    assert save("not the secret").returncode == 0
    refused = sync_once()
    assert refused.returncode == 6
    assert "Sync sign-in refused" in refused.stderr and "invalid_client" in refused.stderr
