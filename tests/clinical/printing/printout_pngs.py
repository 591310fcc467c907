"""Renders docs/printouts/*.png: each patient document printed from the test charts
(tests/clinical/printing/print_ward.py), its first two pages turned into PNGs by pdftoppm,
for a person to look at. Not collected with the suite (no test_ prefix); run it by name:

    python -m pytest tests/clinical/printing/printout_pngs.py
"""

import subprocess
from pathlib import Path

from app.clinical.printing.printouts import Printouts, PrintRequest
from tests.clinical.chart.visit_ward import ROSA
from tests.clinical.printing.print_ward import HAL, ZOE
from tests.clinical.printing.test_printouts import clinic, doctor  # noqa: F401 (fixtures)

OUT = Path(__file__).parents[3] / "docs" / "printouts"
DOCUMENTS = [(ROSA, "after-visit-summary", "a4", "after-visit-summary"),
             (ROSA, "visit-note", "a4", "visit-note"),
             (ROSA, "medications", "a4", "medications"),
             (ROSA, "problems", "a4", "problems"),
             (ROSA, "immunizations", "a4", "immunizations"),
             (ZOE, "medications", "letter", "medications-long-name-letter"),
             (ZOE, "visit-note", "letter", "visit-note-long"),
             (HAL, "problems", "a4", "problems-long-history")]


def test_render_every_document_to_png(doctor, tmp_path):  # noqa: F811 (the fixture)
    OUT.mkdir(parents=True, exist_ok=True)
    for patient, document, paper, name in DOCUMENTS:
        done = Printouts(doctor.store).print(doctor.session, PrintRequest(
            patient, document, tmp_path / f"{name}.pdf", paper=paper))
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(done.path),
                        str(OUT / name)], check=True)
        assert (OUT / f"{name}-1.png").exists() or (OUT / f"{name}-01.png").exists()
