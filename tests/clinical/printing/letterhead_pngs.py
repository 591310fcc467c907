"""Renders docs/printouts/{requisition,prescription,clinic-report}-1.png: a requisition and a
prescription for Bea Nwosu and a week's visits per day, each on the clinic's letterhead,
their first page turned into a PNG by pdftoppm, for a person to look at. Not collected with
the suite (no test_ prefix); run it by name:

    python -m pytest tests/clinical/printing/letterhead_pngs.py
"""

import dataclasses
import subprocess
from pathlib import Path

from app.cli.commands import main
from app.clinical.charting.entries import create
from app.clinical.orders.order_prints import OrderPrints, PrintRequest
from app.clinical.orders.service_requests import OrderLine, Orders
from app.clinical.records import Records
from app.security.policy import BillingPolicy
from app.security.roles import Permission
from tests.cli.test_report_commands import clinic  # noqa: F401 (the fixture)
from tests.clinical.charting.test_problems import ward  # noqa: F401 (the fixture)
from tests.clinical.orders.test_order_prints import bea, prescription  # noqa: F401
from tests.conftest import TEST_POLICY, password_of

OUT = Path(__file__).parents[3] / "docs" / "printouts"
RIVERSIDE = BillingPolicy(organization_name="Riverside Family Practice")


def png(pdf: Path, name: str) -> None:
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(OUT / f"{name}-1")], check=True)


def test_render_the_order_prints(ward, bea, tmp_path):  # noqa: F811 (the fixtures)
    OUT.mkdir(parents=True, exist_ok=True)
    doctor = ward.doctor
    orders = Orders(doctor.store)
    orders.pend_many(doctor.session, bea, [
        OrderLine("58410-2", "urgent", note="Draw before 10:00"), OrderLine("Lipid panel"),
        OrderLine("xr-chest-2v", reason="Cough for 6 weeks")])
    orders.sign_basket(doctor.session, bea)
    doctor.medications.prescribe(doctor.session, bea, "Warfarin 5 mg tablet",
                                 "1 tablet by mouth once a day", rxnorm="855332")
    with Records(doctor.store).write(doctor.session, Permission.EDIT_CHART) as work:
        create(work, prescription(1, bea, doctor), bea, "medication ordered")
    prints = OrderPrints(doctor.store, billing=RIVERSIDE)
    for kind, name in (("lab", "requisition"), ("prescription", "prescription")):
        done = prints.print(doctor.session, PrintRequest(bea, tmp_path / f"{name}.pdf", kind,
                                                         "a4"))
        png(done.path, name)


def test_render_a_clinic_report(clinic, monkeypatch, tmp_path):  # noqa: F811 (the fixture)
    OUT.mkdir(parents=True, exist_ok=True)
    env, root = clinic
    env = dataclasses.replace(env, policy=dataclasses.replace(TEST_POLICY, billing=RIVERSIDE))
    monkeypatch.setenv("HEARTH_PASSWORD", password_of("bea"))
    out = tmp_path / "report.pdf"
    assert main(["--store", str(root), "--user", "bea", "report", "visits-per-day", "--from",
                 "2025-03-03", "--to", "2025-03-09", "--pdf", str(out), "--paper", "a4"],
                env=env) == 0
    png(out, "clinic-report")
