"""The Admin tab's system sections as an admin meets them, on a real store: the store check
run from the screen says what `hearth store check` says, the sync section names the missing
credential's command and never shows a saved secret, and the policy view names IT's file for
the values set there and "default" for the rest."""

from dataclasses import replace

import keyring
import orjson
import pytest

from app.clinical.safety.packs import load_knowledge, shipped_path
from app.security.policy import SyncPolicy
from app.store.kdf_bounds import FLOOR as KDF_FLOOR
from app.ui.admin.store_check import SOUND
from app.ui.shell.workspace import Workspace
from sync.credentials import SyncCredentials
from tests.sync.conftest import fresh_fhir_server  # noqa: F401 (a fixture)
from tests.sync.stations import sync

WAIT = 10000


@pytest.fixture
def admin_tab(qtbot, admin, background):
    workspace = Workspace(admin, background)
    qtbot.addWidget(workspace)
    workspace.resize(1200, 800)
    workspace.show()
    workspace.setCurrentWidget(workspace.admin)
    yield workspace.admin  # the workspace, held by qtbot, keeps it


def test_an_admin_runs_the_store_check_and_reads_the_result(qtbot, admin_tab, background):
    section = admin_tab.section("Store check")
    assert section.result.text() == "Not checked yet."
    section.run_button.click()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert section.result.text().startswith(SOUND)
    assert "Checked at" in section.result.text()
    assert section.run_button.isEnabled() and section.busy.isHidden()


def test_the_policy_names_it_file_for_its_values_and_default_for_others(
        qtbot, admin, background, tmp_path, monkeypatch):
    it_file = tmp_path / "policy.json"
    it_file.write_bytes(orjson.dumps({
        "failed_logins_before_lock": 3, "lockout_minutes": 15, "idle_lock_minutes": 5,
        "min_password_length": 8, "kdf": KDF_FLOOR.__dict__}))
    monkeypatch.setenv("HEARTH_SYSTEM_POLICY", str(it_file))
    workspace = Workspace(admin, background)
    qtbot.addWidget(workspace)
    section = workspace.admin.section("Policy")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    shown = section.shown()
    assert shown["lockout_minutes"] == ("15", f"IT's system file {it_file}")
    assert shown["results.overdue_days"] == ("14", "default")
    assert shown["sync.server"] == ("not set", "default")
    section.find.setText("overdue")
    assert list(section.shown()) == ["results.overdue_days"]



def test_sync_names_the_missing_credential_then_says_it_is_saved_never_showing_it(
        qtbot, admin, background):
    admin.policy = replace(admin.policy, sync=SyncPolicy(
        server="https://fhir.clinic.example/r4", client_id="front-room", organization="org-1"))
    workspace = Workspace(admin, background)
    qtbot.addWidget(workspace)
    section = workspace.admin.section("Sync")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert section.labels["Server"].text() == "https://fhir.clinic.example/r4"
    assert section.labels["Waiting to send"].text() == "0 changes waiting to sync"
    assert section.labels["Last received"].text() == "Never from this server"
    assert section.todo.text() == (
        "Save the credential: hearth sync-credentials --server https://fhir.clinic.example/r4 "
        "--client-id front-room --secret-stdin (or --private-key FILE).")
    SyncCredentials(keyring.get_keyring()).save_secret(
        "https://fhir.clinic.example/r4", "front-room", "s3cret-value",
        "https://fhir.clinic.example/token")
    section.check_again.click()
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert section.labels["Credential"].text() == (
        "Saved in this computer's keyring: a client secret, sent only to "
        "https://fhir.clinic.example/token.")
    assert section.todo.text() == ""
    assert "s3cret" not in "".join(label.text() for label in section.labels.values())


def knowledge_rows(section) -> dict[str, tuple[str, ...]]:
    proxy = section.table.model()
    return {proxy.index(r, 0).data(): tuple(proxy.index(r, c).data() for c in range(1, 5))
            for r in range(proxy.rowCount())}


def test_knowledge_lists_the_shipped_drug_pack_and_imports_a_cpt_file(
        qtbot, admin_tab, background, tmp_path):
    section = admin_tab.section("Knowledge packs")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    rows = knowledge_rows(section)
    name, version, loaded_from, source = rows["Medication safety pack"]
    assert (version, loaded_from) == ("2026.1", "shipped with Hearth")
    assert source.startswith("Written for Hearth from the published facts")
    assert rows["Procedure codes"][2] == "not imported: Hearth ships no CPT text"
    assert section.warning.isHidden()
    cpt = tmp_path / "cpt.csv"
    cpt.write_text("code,description\n99213,Office visit (clinic licence text)\nABC,x\n")
    dialog = section.ask_import("cpt")
    dialog.selectFile(str(cpt))
    dialog.accept()
    qtbot.waitUntil(lambda: not background.busy
                    and knowledge_rows(section)["Procedure codes"][1] == "1 code",
                    timeout=WAIT)
    assert section.status.text().startswith("Imported 1 CPT code to ")
    assert "LEFT OUT" in section.status.text()


def test_an_unsound_safety_pack_shows_the_banner_sentence(qtbot, admin, admin_tab, background,
                                                         tmp_path):
    assert admin.safety.knowledge.status.state == "ok"  # the order screens' checks, loaded
    section = admin_tab.section("Knowledge packs")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    section.ask_import("safety").selectFile(str(broken))
    section.dialog.accept()
    qtbot.waitUntil(lambda: "Nothing was installed." in section.status.text(), timeout=WAIT)
    pack = orjson.loads(shipped_path().read_bytes())
    pack["pack"]["name"] = "Clinic extra rules"
    pack["interactions"][0]["severity"] = "dreadful"  # a row the pack reader leaves out
    partial = tmp_path / "extra.json"
    partial.write_bytes(orjson.dumps(pack))
    section.ask_import("safety").selectFile(str(partial))
    section.dialog.accept()
    qtbot.waitUntil(lambda: not background.busy and section.warning.isVisible(), timeout=WAIT)
    banner = load_knowledge(admin.store.paths.root).status.sentence
    assert banner and section.warning.text() == banner
    assert admin.safety.knowledge.status.sentence == banner  # orders now check with it
    assert "LEFT OUT" in section.status.text()


def test_sync_says_when_the_server_was_last_heard_from(qtbot, admin, background,
                                                       fresh_fhir_server):
    sync(admin, fresh_fhir_server)
    admin.policy = replace(admin.policy, sync=SyncPolicy(server=fresh_fhir_server.base_url))
    workspace = Workspace(admin, background)
    qtbot.addWidget(workspace)
    section = workspace.admin.section("Sync")
    qtbot.waitUntil(lambda: not background.busy, timeout=WAIT)
    assert section.labels["Last received"].text() not in ("…", "Never from this server")
    assert section.labels["Last received"].text()[:2].isdigit()  # "09:02": today, local time
