"""Hearth started for its window (from the desktop menu, with no terminal to read) with a
broken policy file: the window's start-up shows the same sentence as the terminal, naming
file, line and key, and Hearth exits; it never opens on a default policy instead."""

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.cli.commands import main

BROKEN = '{\n  "idle_lock_minutes": 5,\n  "kdf": {"memory_kib": 1024}\n}\n'


def closed_box(qtbot) -> dict:
    """Watches for Hearth's message box; records its title and text and closes it."""
    seen = {}

    def look():
        for widget in QApplication.topLevelWidgets():
            if isinstance(widget, QMessageBox) and widget.isVisible():
                seen.update(title=widget.windowTitle(), text=widget.text())
                widget.button(QMessageBox.StandardButton.Close).click()
                timer.stop()

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(50)
    seen["timer"] = timer  # kept alive while main() runs
    return seen


@pytest.mark.parametrize("command", [[], ["demo"]])
def test_a_broken_policy_stops_the_window_with_the_line_and_key(
        qtbot, tmp_path, monkeypatch, capsys, command):
    system = tmp_path / "policy.json"
    system.write_text(BROKEN)
    monkeypatch.setenv("HEARTH_SYSTEM_POLICY", str(system))
    seen = closed_box(qtbot)
    status = main(["--store", str(tmp_path / "store"), *command])
    sentence = (f"{system} line 3: kdf.memory_kib: 1024 is less than the minimum of 19456.")
    assert status == 2
    assert capsys.readouterr().err == f"hearth: Policy file refused: {sentence}\n"
    assert (seen["title"], seen["text"]) == ("Hearth: Policy file refused", sentence)
    assert not (tmp_path / "store").exists()
