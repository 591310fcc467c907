"""Turning any failure into the one sentence a person reads: in the terminal (`hearth`), in
the window and in the sync worker's status.

Hearth's errors (app.errors) and sync's (sync.errors) carry a `title` and a `message`
written for people, which already say what was kept and what was not ("The last change was
not saved; everything saved before it is intact"). Anything else is a fault no one foresaw:
it is named as unexpected, with its type and text for the report, and it never claims the
work was saved, because no one knows whether it was. A caller that does know says so itself.

It lives in `fhir_common` because the sync worker, the terminal and the window all use it,
and `sync` never imports the workstation; it imports nothing, not even Qt.
"""


def sentence(exc: BaseException) -> str:
    title, message = getattr(exc, "title", None), getattr(exc, "message", None)
    if title and message:
        return f"{title}: {message}"
    named = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return f"Something unexpected went wrong ({named}). Please report it."
