"""The policy's "updates" section: where this workstation looks for new versions of Hearth.

`repository`: the TUF update repository (docs/updates.md), as a local folder, a USB stick's
mount point, a file:// URL or an https:// URL; null turns checking off. `trusted_root`: the
root metadata file whose keys this workstation trusts (null: the one shipped in
resources/updates/root.json, made with the test keys; IT publishing its own updates names
its own). `check_every_hours`: how often the workstation checks in the background.
`expiry_warning_days`: warn when the repository's signed timestamp expires within this many
days, so an offline clinic asks for a fresh USB stick before updates stop verifying.
"""

from dataclasses import dataclass, fields

from app.errors import UsageError

SCHEMES = ("https://", "http://", "file://")


@dataclass(frozen=True)
class UpdatesPolicy:
    repository: str | None = None
    trusted_root: str | None = None
    check_every_hours: int = 24
    expiry_warning_days: int = 7

    def __post_init__(self):
        for name in ("repository", "trusted_root"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, str) and value.strip()):
                raise UsageError(f"The policy's updates.{name} must be a folder, a URL or "
                                 "null.")
        repository = self.repository or ""
        if "://" in repository and not repository.startswith(SCHEMES):
            raise UsageError(f"The policy's updates.repository is {repository!r}; give a "
                             "folder, or a URL beginning https://, http:// or file://.")
        for name, low, high in (("check_every_hours", 1, 24 * 90),
                                ("expiry_warning_days", 0, 365)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise UsageError(f"The policy's updates.{name} is {value!r}; it must be a "
                                 f"whole number from {low} to {high}.")


def updates_policy(values) -> UpdatesPolicy:
    """The section as read from a policy file, refused by name when a setting is unknown."""
    if not isinstance(values, dict):
        raise UsageError("The policy's updates settings must be a JSON object.")
    if unknown := set(values) - {f.name for f in fields(UpdatesPolicy)}:
        raise UsageError(f"Unknown policy updates setting(s): {', '.join(sorted(unknown))}.")
    return UpdatesPolicy(**values)
