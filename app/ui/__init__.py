"""The PySide6 workstation: the only package that imports Qt (checked by import-linter)."""
