"""Screenshot scene of a broken policy file stopping the window's start-up, run by
tests.ui.screenshots (which see): the message box a person who started Hearth from the
desktop menu sees. Not a test: people look at it."""

from pathlib import Path

from app.errors import PolicyRefused
from app.security.policy import file_values
from app.ui.shell.run import start_up_refusal
from tests.ui.screenshots import save


def policy_refused(work: Path, folder: Path) -> None:
    broken = work / "policy.json"
    broken.write_text('{\n  "failed_logins_before_lock": 5,\n  "idle_lock_minutes": -5,\n'
                      '  "sync": {"servr": "https://fhir.clinic.example/r4"}\n}\n')
    try:
        file_values(broken)
        raise AssertionError("Hearth took a broken policy file")
    except PolicyRefused as refused:
        box = start_up_refusal(refused)
    box.show()
    save(box, folder, "policy-refused")
    box.close()
