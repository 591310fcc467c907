"""Where a file the workstation writes (a printout, a report, an export) is offered first."""

from pathlib import Path

from PySide6.QtCore import QStandardPaths


def documents_folder() -> Path:
    """The account's Documents folder when it has one, else home: a fresh account (no
    Documents yet) is never offered a folder that is not there."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents and Path(documents).is_dir() else Path.home()
