"""Modifier extensions: data that can change what a record means, which Hearth cannot read.

FHIR lets a source put a `modifierExtension` on a resource or on any element within it (a
dose "not given", a diagnosis "ruled out"), and says a system that does not understand one
shall not ignore it. Which modifiers Hearth understands (none yet) is decided once, in
sync.merge, which also refuses to merge such records; here a record carrying any other is
given the warning every chart view shows with it.
"""

from sync.merge import unknown_modifiers


def modifier_warning(resource: dict) -> str | None:
    """The sentence a reader is shown for a record with modifiers, or None without any."""
    urls = unknown_modifiers(resource)
    if not urls:
        return None
    what = "a modifier" if len(urls) == 1 else "modifiers"
    return f"This record carries {what} Hearth does not understand: {', '.join(urls)}."
