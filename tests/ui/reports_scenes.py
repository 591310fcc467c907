"""Screenshot scenes of the Reports tab, run by tests.ui.screenshots (which see): a
fortnight of a small clinic (tests/clinical/reports/clinic_data.py) counted as visits per
day and as claims by status, each with its plot, and a period typed the wrong way round.
Not a test: people look at them."""

from pathlib import Path

from PySide6.QtCore import QDate

from tests.ui.screenshots import save, signed_in_window, wait_until

DOCTOR = "dana"


def clinic_reports(env, work: Path, folder: Path) -> None:
    """Dr Okafor runs reports over the imported fortnight of 3 to 16 March 2025."""
    from tests.clinical.reports import clinic_data as data
    from tests.conftest import new_store, password_of

    root = work / "reports-clinic"
    work.mkdir(parents=True, exist_ok=True)
    env, _ = new_store(root, {DOCTOR: ("Maria Okafor", "physician")},
                       [data.write_ndjson(work / "reports-clinic.ndjson")])
    window = signed_in_window(env, root, DOCTOR, password_of(DOCTOR))
    view = window.workspace.reports
    window.workspace.setCurrentWidget(view)
    for name, shot in (("visits-per-day", "reports-visits-per-day"),
                       ("claims-by-status", "reports-claims-by-status")):
        view.report.setCurrentIndex(view.report.findData(name))
        view.first.setDate(QDate(data.FIRST))
        view.last.setDate(QDate(data.LAST))
        view.run_button.click()
        wait_until(view.run_button.isEnabled)  # disabled until the report is read
        save(window, folder, shot)
    view.first.setDate(QDate(data.LAST))
    view.last.setDate(QDate(data.FIRST))
    view.run_button.click()
    save(window, folder, "reports-period-backwards")
    window.close()
