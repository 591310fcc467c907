"""Import every module outside app.ui where Qt is not installed, so a stray Qt import fails CI.

Only app.ui may use Qt (PySide6, pyqtgraph). import-linter checks the import statements it can
read; this step also catches what it cannot: a module loaded by name, a dependency that pulls Qt
in, or a package that only came installed because Qt needed it. The CLI, sync and the services
must keep working on a machine without the window's libraries. .ci/run runs this with a virtual
environment that has the project's dependencies except PySide6 and pyqtgraph.
"""

import importlib
import importlib.util
import pkgutil
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QT = ("PySide6", "shiboken6", "pyqtgraph")
# app.ui is the one place for Qt; app.__main__ would run the command line when imported.
LEFT_OUT = ("app.ui", "app.__main__")


def modules() -> list[str]:
    """Every module of sync, fhir_common and app outside the window, read from the folders
    (walking them by importing would load app.ui's packages, and Qt with them)."""
    names = []
    for package in ("sync", "fhir_common", "app"):
        names.append(package)
        names += walk(ROOT / package, package)
    return names


def walk(folder: Path, prefix: str) -> list[str]:
    names = []
    for found in pkgutil.iter_modules([str(folder)]):
        name = f"{prefix}.{found.name}"
        if any(name == out or name.startswith(f"{out}.") for out in LEFT_OUT):
            continue
        names.append(name)
        if found.ispkg:
            names += walk(folder / found.name, name)
    return names


def at_fault(error: BaseException) -> str:
    """The last project line outside app.ui that the failing import went through (app.ui may
    import Qt, so the fault is the line that reached into it), with the lines after it."""
    here = Path(__file__).resolve()
    lines = []
    for frame in traceback.extract_tb(error.__traceback__):
        file = Path(frame.filename).resolve()  # "<frozen importlib...>" is Python's own
        if file.is_relative_to(ROOT) and file != here and not frame.filename.startswith("<"):
            lines.append(f"{file.relative_to(ROOT).as_posix()}:{frame.lineno}")
    outside = [i for i, line in enumerate(lines) if not line.startswith("app/ui/")]
    if not outside:
        return "a module outside the project"
    first, *through = lines[outside[-1]:]
    return f"{first} (through {' -> '.join(through)})" if through else first


def problem(name: str) -> tuple[str, str] | None:
    """Why `name` cannot be imported without Qt, as (the line at fault, a sentence), or None."""
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        line = at_fault(error)
        missing = (error.name or "").split(".")[0]
        if missing in QT:
            return line, (f"{line} imports {missing}, but only app.ui may use Qt: the command "
                          f"line, the services and sync must run where Qt is not installed")
        return line, (f"{line} imports {error.name}, which pyproject.toml does not list as a "
                      f"dependency (only the window's packages brought it in)")
    except Exception as error:  # noqa: BLE001 - any failure here is a finding to report
        line = at_fault(error)
        return line, f"{line} fails to import without Qt: {error!r}"
    return None


def main() -> int:
    present = [q for q in QT if importlib.util.find_spec(q) is not None]
    if present:
        print(f"import_without_qt: {', '.join(present)} is installed in this environment, so "
              f"this check would prove nothing; run it where Qt is absent.", file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))
    names = modules()
    failing: dict[str, tuple[str, list[str]]] = {}  # line at fault: its sentence, who fails
    for name in names:
        if found := problem(name):
            failing.setdefault(found[0], (found[1], []))[1].append(name)
    for sentence, modules_failing in failing.values():
        print(f"{sentence}; importing it fails: {', '.join(modules_failing)}.", file=sys.stderr)
    if failing:
        return 1
    print(f"{len(names)} modules of sync, fhir_common and app import without Qt.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
