"""Screenshot scenes of the Admin tab's system sections, run by tests.ui.screenshots (which
see): the demo admin runs the store check, looks at the sync settings with no server set,
at the knowledge packs in force and at the policy with where each value came from. Not a
test: people look at them."""

from pathlib import Path

from tests.ui.screenshots import demo_user, save, settle, signed_in_window, wait_until


def admin_system(env, info, folder: Path) -> None:
    """Store check, Sync, Knowledge packs and Policy as the demo admin sees them."""
    from app.cli.demo import ADMIN

    admin = demo_user(info, ADMIN)
    window = signed_in_window(env, info.root, admin.name, admin.password, info.hints())
    workspace = window.workspace
    workspace.setCurrentWidget(workspace.admin)
    check = workspace.admin.section("Store check")
    check.run_button.click()
    wait_until(lambda: check.run_button.isEnabled())
    save(window, folder, "admin-store-check")
    sync = workspace.admin.section("Sync")
    wait_until(lambda: sync.labels["Credential"].text() != "…")
    save(window, folder, "admin-sync")
    knowledge = workspace.admin.section("Knowledge packs")
    wait_until(lambda: knowledge.model.rowCount() > 0)
    settle()
    save(window, folder, "admin-knowledge-packs")
    policy = workspace.admin.section("Policy")
    wait_until(lambda: policy.model.rowCount() > 0)
    settle()
    save(window, folder, "admin-policy")
    window.close()

