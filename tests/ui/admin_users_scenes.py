"""Screenshot scenes of the Admin tab's Users section, run by tests.ui.screenshots (which
see): the demo admin adds a physician, whose first password is marked to be changed; the
admin is refused demoting herself, the last admin; the physician's first sign-in asks for
her own password. Not a test: people look at them."""

from pathlib import Path

from tests.ui.screenshots import demo_user, save, signed_in_window, wait_until

PHYSICIAN = ("drpark", "Dr Jun Park", "first pass 1")


def users_section(env, info, folder: Path) -> None:
    from app.cli.demo import ADMIN
    from app.ui.shell.window import WorkstationWindow

    admin = demo_user(info, ADMIN)
    window = signed_in_window(env, info.root, admin.name, admin.password, info.hints())
    workspace = window.workspace
    workspace.setCurrentWidget(workspace.admin)
    section = workspace.admin.section("Users")
    wait_until(lambda: bool(section.users))
    dialog = section.add_user()
    dialog.name.setText(PHYSICIAN[0])
    dialog.full_name.setText(PHYSICIAN[1])
    dialog.role.setCurrentText("physician")
    dialog.password.setText(PHYSICIAN[2])
    dialog.again.setText(PHYSICIAN[2])
    save(dialog, folder, "admin-users-add")
    dialog.save.click()
    wait_until(lambda: PHYSICIAN[0] in [u.name for u in section.users])
    section.choose(PHYSICIAN[0])
    save(window, folder, "admin-users")
    section.choose(admin.name)
    dialog = section.change_role()
    dialog.role.setCurrentText("physician")
    dialog.save.click()
    wait_until(lambda: dialog.message.isVisible())
    save(dialog, folder, "admin-users-last-admin")
    dialog.reject()
    window.close()

    window = WorkstationWindow(env, info.root, info.hints())
    window.resize(1280, 800)
    window.show()
    window.login.user.setText(PHYSICIAN[0])
    window.login.password.setText(PHYSICIAN[2])
    window.login.sign_in.click()
    wait_until(lambda: window.pages.currentWidget() is window.new_password)
    save(window, folder, "sign-in-new-password")
    window.close()
