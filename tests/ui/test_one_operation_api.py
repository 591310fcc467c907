"""Background work in the window goes through app.ui.operations only: a view that called the
executor itself would have to write its own owner guard and its own request counter again."""

import ast
from pathlib import Path

UI = Path(__file__).parents[2] / "app" / "ui"
ALLOWED = {UI / "common" / "background.py", *(UI / "operations").rglob("*.py")}


def offences(path: Path) -> list[str]:
    """Each line of `path` that runs work on the executor directly (`….background.run(…)`,
    `run_for`) or guards a widget's life by hand (shiboken6.isValid)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        where = f"{path.name}:{getattr(node, 'lineno', '?')}"
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "run" and "background" in _name(node.func.value)):
            found.append(f"{where} calls the executor itself")
        elif isinstance(node, ast.Name) and node.id == "run_for":
            found.append(f"{where} uses run_for")
        elif isinstance(node, ast.ImportFrom | ast.Import) and any(
                "shiboken" in name for name in (getattr(node, "module", None) or "",
                                                *(alias.name for alias in node.names))):
            found.append(f"{where} guards a widget's life by hand (shiboken)")
    return sorted(found)


def _name(receiver: ast.expr) -> str:
    """`background` of `background`, `self._background` or `window.background`."""
    return getattr(receiver, "attr", None) or getattr(receiver, "id", None) or ""


def test_no_view_runs_background_work_outside_the_operations_package():
    views = sorted(set(UI.rglob("*.py")) - ALLOWED)
    assert len(views) > 20  # the check looks where the views are
    assert [line for view in views for line in offences(view)] == []


def test_the_check_catches_each_old_idiom(tmp_path):
    old = tmp_path / "old_view.py"
    old.write_text("from shiboken6 import isValid\n"
                   "run_for(self, self._background, work, done, failed)\n"
                   "self._background.run(work, done, failed)\n")
    assert offences(old) == ["old_view.py:1 guards a widget's life by hand (shiboken)",
                             "old_view.py:2 uses run_for",
                             "old_view.py:3 calls the executor itself"]
