"""The two Windows programs: hearth.exe, the workstation a clinician double-clicks, must open
no console window; hearth-cli.exe is the command line. Windows itself cannot run here, so
what is checked is what decides it: the installer's Start-menu entry opens hearth.exe, and
packaging/windows/pe_subsystem.py (which the Windows workflow runs on the frozen build) tells
a windowed program from a console one, shown on real Windows programs: the GUI and console
launchers pip ships (the same PE header field PyInstaller's console=False sets)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pip
import pytest

from tests.packaging.test_authenticode import TOOLS, build_msi

ROOT = Path(__file__).resolve().parents[2]
CHECK = ROOT / "packaging" / "windows" / "pe_subsystem.py"
LAUNCHERS = Path(pip.__file__).parent / "_vendor" / "distlib"
WINDOWED, CONSOLE = LAUNCHERS / "w64.exe", LAUNCHERS / "t64.exe"


def check(*expected: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), *expected], capture_output=True,
                          text=True)


def test_a_windowed_and_a_console_program_pass_as_what_they_are():
    done = check(f"{WINDOWED}=windowed", f"{CONSOLE}=console")
    assert done.returncode == 0, done.stderr
    assert f"{WINDOWED}: a windowed program, as it must be." in done.stdout


def test_a_console_program_where_the_workstation_must_be_windowed_fails_by_name(tmp_path):
    (tmp_path / "notes.txt").write_text("not a program")
    done = check(f"{CONSOLE}=windowed", f"{tmp_path / 'notes.txt'}=console")
    assert done.returncode == 1
    assert f"{CONSOLE} must be a windowed program but is console." in done.stderr
    assert "notes.txt must be a console program but is not a Windows program" in done.stderr


@pytest.mark.skipif(any(shutil.which(tool) is None for tool in TOOLS),
                    reason="needs wixl and wixl-heat (Debian: wixl); .ci/run installs them")
def test_the_start_menu_opens_the_windowed_workstation(tmp_path):
    msi = build_msi(tmp_path, WINDOWED.read_bytes(), "hearth", cli=CONSOLE.read_bytes())
    shortcuts = subprocess.run(["msiinfo", "export", str(msi), "Shortcut"], capture_output=True,
                               text=True, check=True).stdout
    assert "[INSTALLDIR]hearth.exe" in shortcuts and "hearth-cli" not in shortcuts
