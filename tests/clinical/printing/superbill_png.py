"""Renders docs/printouts/superbill.png (Ann's coded visit, insured, ready to bill) and
superbill-not-ready.png (Bob's: self-pay, a line without a fee, an unsigned note) from the
superbill tests' clinic, by pdftoppm, for a person to look at. Not collected with the
suite (no test_ prefix); run it by name:

    python -m pytest tests/clinical/printing/superbill_png.py
"""

import subprocess

from tests.clinical.printing.printout_pngs import OUT
from tests.clinical.printing.test_superbill import clinic, superbill  # noqa: F401 (fixture)


def test_render_the_superbill_to_png(clinic, tmp_path):  # noqa: F811 (the fixture)
    ws, ids = clinic
    OUT.mkdir(parents=True, exist_ok=True)
    for patient, visit, name in ((ids["ann"], ids["coded"], "superbill"),
                                 (ids["bob"], ids["unready"], "superbill-not-ready")):
        done = superbill(ws["bill"], tmp_path / name, patient, visit)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(done.path),
                        str(OUT / name)], check=True)
        assert (OUT / f"{name}.png").exists()
