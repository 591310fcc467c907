"""The note templates a clinician starts a note from, and the check that each is usable.

A template is a plain text file in resources/note-templates (the README there says how to
write one). It is read when a note starts, so a clinic's edit of the file applies at once,
and it may name fields the chart fills in (app.clinical.notes.template_fields). A template
naming a field Hearth does not fill ({vital} for {vitals}) is never used half-filled: it is
refused, with a sentence naming the file and the field, when the templates are listed and
when a note is started from it.
"""

from dataclasses import dataclass, field
from importlib.resources import files
from importlib.resources.abc import Traversable

from app.clinical.notes.template_fields import FIELDS, unknown_fields
from app.errors import InvalidRecord


def shipped() -> Traversable:
    """The templates that come with Hearth (read when used, so importing this module needs
    no installed package data)."""
    return files("hearth_resources").joinpath("note-templates")


@dataclass(frozen=True)
class Template:
    key: str  # the file's name in the folder, without .txt
    title: str
    loinc: str
    loinc_display: str
    folder: Traversable | None = field(default=None, compare=False, repr=False)  # None: shipped

    @property
    def file_name(self) -> str:
        return f"{self.key}.txt"

    def text(self) -> str:
        """The template as written, or InvalidRecord saying why it cannot be used: a field
        it names wrongly, or a file that cannot be read."""
        try:
            folder = self.folder or shipped()
            written = folder.joinpath(self.file_name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidRecord(
                f"The note template {self.file_name} ({self.title}) could not be read "
                f"({getattr(exc, 'strerror', None) or exc}), so it cannot be used.") from exc
        if unknown := unknown_fields(written):
            raise InvalidRecord(refusal(self, unknown))
        return written


def refusal(template: Template, unknown: list[str]) -> str:
    named = ", ".join(f"{{{name}}}" for name in unknown)
    known = ", ".join(f"{{{name}}}" for name in FIELDS)
    return (f"The note template {template.file_name} ({template.title}) names {named}, which "
            f"is not a field Hearth fills in (it fills {known}), so it cannot be used. "
            f"Correct the file in resources/note-templates, or write {{{{{unknown[0]}}}}} to "
            "keep the braces as text.")


def problem(template: Template) -> str | None:
    """Why the template cannot be used now, or None."""
    try:
        template.text()
    except InvalidRecord as refused:
        return refused.message
    return None


def offered(templates: dict[str, Template]) -> list[tuple[Template, str | None]]:
    """Each template with why it cannot be used (None when it can): what New note lists."""
    return [(template, problem(template)) for template in templates.values()]


TEMPLATES = {t.key: t for t in (
    Template("soap", "SOAP note", "11506-3", "Progress note"),
    Template("progress", "Progress note", "11506-3", "Progress note"),
    Template("procedure", "Procedure note", "28570-0", "Procedure note"),
)}
