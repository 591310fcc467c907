"""Sync only where IT says (issue 11, items 1, 2 and 4), as people meet it on the command
line: who may sync, with which server, what another allowed server is sent, resetting a
pull cursor, and a client secret that only goes to the token URL it was saved for. A rogue
server is a second real server process."""

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from keyring.backends import SecretService

from app.bootstrap import open_workstation
from sync.capabilities import fetch_capabilities
from sync.servers import cursor_key
from sync.transport import Transport
from tests.cli.test_cli import NURSE_PASSWORD, clinic, hearth, store  # noqa: F401 (fixtures)
from tests.conftest import ADMIN_PASSWORD
from tests.sync.conftest import start_fhir_server
from tests.sync.policies import name_servers
from tests.sync.recorder import recording_server
from tests.sync.stations import patient
from tests.sync.test_auth import SECRET, server_auth

PASSWORDS = {"nina": NURSE_PASSWORD, "fran": "front desk pass 1", "audrey": "auditor pass 1",
             "admin": ADMIN_PASSWORD}


@pytest.fixture
def people(clinic, env, store):
    """The clinic with a front desk clerk and an auditor too; people(user, *args) runs
    hearth as that user. Nina (nurse) has registered one patient, not yet synced."""
    ws = open_workstation(env, store, "admin", ADMIN_PASSWORD)
    ws.users.add(ws.session, "fran", "Fran Desk", "front-desk", PASSWORDS["fran"])
    ws.users.add(ws.session, "audrey", "Audrey Audit", "auditor", PASSWORDS["audrey"])
    ws.close()
    nina = open_workstation(env, store, "nina", NURSE_PASSWORD)
    nina.patients.register(nina.session, patient("Okafor"))
    nina.close()
    return lambda user, *args, **kw: clinic("--user", user, *args, password=PASSWORDS[user],
                                            **kw)


def held_by(server, kind: str) -> int:
    return httpx.get(f"{server.base_url}{kind}", params={"_summary": "count"}).json()["total"]


@pytest.fixture
def rogue(tmp_path):
    with start_fhir_server(tmp_path / "rogue") as server:
        yield server


def test_front_desk_cannot_sync_with_a_rogue_server_and_it_receives_nothing(
        people, policy_file, fresh_fhir_server, rogue):
    name_servers(policy_file, fresh_fhir_server.base_url)
    refused = people("fran", "sync", "--server", rogue.base_url, "--once")
    assert (refused.returncode, refused.stderr) == (4, (
        f"hearth: Not permitted: {rogue.base_url} is not a sync server the IT policy allows "
        "(sync.server or sync.allowed_servers); nothing was sent to it.\n"))
    assert held_by(rogue, "Patient") == held_by(rogue, "AuditEvent") == 0

    done = people("fran", "sync", "--once")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Synced: sent 1,")
    assert held_by(fresh_fhir_server, "Patient") == 1


def test_an_auditor_may_not_sync(people, policy_file, fresh_fhir_server):
    name_servers(policy_file, fresh_fhir_server.base_url)
    refused = people("audrey", "sync", "--once")
    assert (refused.returncode, refused.stderr) == (4, (
        "hearth: Not permitted: Audrey Audit (audrey) is signed in as auditor and may not sync "
        "with the clinic's FHIR server.\n"))
    assert held_by(fresh_fhir_server, "Patient") == 0


def test_another_allowed_server_is_only_read_from_and_the_outbox_waits_for_the_clinics(
        people, policy_file, fresh_fhir_server, rogue):
    registry = rogue  # here IT allows it: a regional registry, read from
    httpx.put(f"{registry.base_url}Patient/from-registry",
              json={**patient("Mensah"), "id": "from-registry"}).raise_for_status()
    name_servers(policy_file, fresh_fhir_server.base_url, registry.base_url.rstrip("/"))
    done = people("nina", "sync", "--server", registry.base_url, "--once")
    assert done.returncode == 0, done.stderr
    assert ("Note: This server is not the clinic's sync server, so only received from: "
            "changed records and the audit trail stay queued for the clinic's server."
            ) in done.stdout.splitlines()
    assert "Waiting: 1 changed records to send" in done.stdout
    assert held_by(registry, "Patient") == 1 and held_by(registry, "AuditEvent") == 0

    done = people("nina", "sync", "--once")
    assert done.returncode == 0, done.stderr
    assert held_by(fresh_fhir_server, "Patient") == 1  # Okafor, sent where it was meant
    assert "Waiting: 0 changed records to send" in done.stdout


def test_an_admin_resets_a_stuck_pull_cursor_with_a_reason_that_is_audited(
        people, env, store, policy_file, fresh_fhir_server):
    name_servers(policy_file, fresh_fhir_server.base_url)
    httpx.put(f"{fresh_fhir_server.base_url}Patient/p1",
              json={**patient("Mensah"), "id": "p1"}).raise_for_status()
    stuck_after(env, store, fresh_fhir_server, datetime.now(UTC) + timedelta(minutes=1))
    assert people("nina", "sync", "--once").returncode == 0
    assert not has_patient(env, store, "p1")  # the cursor had moved past it

    assert people("nina", "sync", "--reset-cursor", "--reason", "x").returncode == 4
    assert people("admin", "sync", "--reset-cursor").stderr == (
        "hearth: Missing or invalid input: Say why with --reason TEXT: a reset is recorded in "
        "the audit trail.\n")
    reset = people("admin", "sync", "--reset-cursor", "--reason", "pull stuck since Monday")
    assert (reset.returncode, reset.stdout) == (0, (
        f"Reset 1 saved pull positions for {fresh_fhir_server.base_url}: the next sync reads "
        "everything from that server again.\n"))
    trail = people("admin", "audit", "export").stdout
    assert (f"reset 1 pull cursors of {fresh_fhir_server.base_url}: pull stuck since Monday"
            in trail)
    assert people("nina", "sync", "--once").returncode == 0
    assert has_patient(env, store, "p1")


def stuck_after(env, store, server, moment: datetime) -> None:
    """A saved pull position at `moment`, as a pull cut short by a fault can leave."""
    transport = Transport(server.base_url)
    key = cursor_key(server.base_url, fetch_capabilities(transport).server_id, "history")
    transport.close()
    since = moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    ws = open_workstation(env, store, "nina", NURSE_PASSWORD)
    with ws.store.write() as conn:
        conn.exec_driver_sql("INSERT INTO sync_state (scope, cursor, updated_at) VALUES "
                             "(?, ?, ?)", (key, json.dumps({"since": since, "checked": True}),
                                           since))
    ws.close()


def has_patient(env, store, patient_id: str) -> bool:
    ws = open_workstation(env, store, "nina", NURSE_PASSWORD)
    try:
        with ws.store.read() as conn:
            return conn.exec_driver_sql("SELECT 1 FROM resource WHERE type = 'Patient' AND "
                                        "id = ?", (patient_id,)).first() is not None
    finally:
        ws.close()


@pytest.fixture
def secured(tmp_path):
    with start_fhir_server(tmp_path / "secured", extra_yaml=server_auth()) as server:
        yield server


@pytest.fixture
def rogue_token_endpoint():
    with recording_server() as (origin, asked):
        yield f"{origin}/token", asked


def test_a_secret_is_never_sent_to_a_token_url_it_was_not_saved_for(
        people, policy_file, secured, rogue_token_endpoint):
    name_servers(policy_file, secured.base_url, client_id="ward-pc")
    saved = people("admin", "sync-credentials", "--server", secured.base_url, "--client-id",
                   "ward-pc", "--secret-stdin", stdin=f"{SECRET}\n")
    token_url = secured.base_url.removesuffix("fhir/") + "auth/token"
    assert saved.stdout.endswith(f"to be sent only to {token_url}.\n"), saved.stderr
    assert people("nina", "sync", "--once").returncode == 0

    rogue_token, asked = rogue_token_endpoint
    name_servers(policy_file, secured.base_url, client_id="ward-pc", token_url=rogue_token)
    refused = people("nina", "sync", "--once")
    assert (refused.returncode, refused.stderr) == (6, (
        "hearth: Sync credentials not sent: The sync credentials for client 'ward-pc' are for "
        f"signing in at {token_url}, not at {rogue_token}; they were not sent. If the clinic's "
        "sign-in address changed, an admin saves them again with: hearth sync-credentials\n"))
    assert asked == []


def test_credentials_saved_before_they_were_bound_to_a_token_url_are_not_sent(
        people, policy_file, secured):
    name_servers(policy_file, secured.base_url, client_id="ward-pc")
    SecretService.Keyring().set_password(f"hearth-sync {secured.base_url.rstrip('/')}",
                                         "ward-pc", json.dumps({"kind": "secret",
                                                                "value": SECRET}))
    refused = people("nina", "sync", "--once")
    assert (refused.returncode, refused.stderr) == (6, (
        "hearth: Sync credentials not sent: The sync credentials for client 'ward-pc' were "
        "saved without the token URL they are for, so Hearth does not send them anywhere. An "
        "admin saves them again with: hearth sync-credentials\n"))


def test_sync_has_no_token_url_option_any_more(people, policy_file, secured):
    name_servers(policy_file, secured.base_url, client_id="ward-pc")
    refused = people("nina", "sync", "--once", "--token-url", "http://127.0.0.1:9/token")
    assert refused.returncode == 2 and "unrecognized arguments: --token-url" in refused.stderr
