"""Checking the update repository and staging the newest Hearth into the store's folder.

The trust anchor is the root metadata the policy names (updates.trusted_root), else the one
shipped in resources/updates/root.json. Every check is python-tuf's client workflow
(ngclient.Updater): root rotations, then timestamp, snapshot and targets, each signature,
version and expiry checked, the last verified copies kept in STORE/updates/metadata so a
repository replayed from an older publication is refused. The repository's
hearth/latest.json target names the newest version and its artefact; both are verified
before use. Staging downloads that artefact, checks its length and hashes against the
signed targets metadata, and renames it into STORE/updates/staged/VERSION/: installing it is
IT's step (or the installer's), never done over the running program.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as installed_version
from importlib.resources import files
from pathlib import Path

from packaging.version import InvalidVersion, Version
from tuf.api.exceptions import DownloadError, RepositoryError
from tuf.api.metadata import Metadata, Timestamp
from tuf.ngclient import Updater

from app.errors import HearthError
from app.security.updates_policy import UpdatesPolicy
from app.store.activity import NOTE_DRAFT, SYNC, Activity
from app.updates.location import Location, location
from app.updates.refusals import UpdateRefused, UpdateUnavailable, refusal

LATEST = "hearth/latest.json"


class UpdatesOff(HearthError):
    title = "Update checks are off"
    exit_code = 6


def this_version() -> str:
    try:
        return installed_version("hearth")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"


@dataclass(frozen=True)
class Offer:
    installed: str
    newest: str
    artefact: str  # its path in the repository
    repository: str
    timestamp_expires: datetime

    @property
    def is_newer(self) -> bool:
        return Version(self.newest) > Version(self.installed)

    def summary(self) -> str:
        if self.is_newer:
            return (f"Hearth {self.newest} is available from {self.repository} (this is "
                    f"{self.installed}): hearth update stage")
        if Version(self.newest) < Version(self.installed):
            return (f"Hearth {self.installed} is newer than the repository's newest "
                    f"({self.newest}); Hearth never goes back to an older version.")
        return f"Hearth {self.installed} is the newest in {self.repository}."

    def expiry_warning(self, within_days: int, now: datetime | None = None) -> str | None:
        left = self.timestamp_expires - (now or datetime.now(UTC))
        if left.days >= within_days:
            return None
        return (f"The update repository's signature expires "
                f"{self.timestamp_expires:%Y-%m-%d %H:%M} UTC: after that no update from it "
                "verifies until it is re-signed (packaging/build tuf-repo DIR --refresh).")


class UpdateChannel:
    def __init__(self, settings: UpdatesPolicy, store_root: Path, installed: str | None = None):
        self._settings = settings
        self._folder = store_root / "updates"
        self.installed = installed or this_version()

    def check(self) -> Offer:
        """What the repository offers, verified; raises a sentence when it cannot tell."""
        updater, where = self._updater()
        with _translated(where.shown):
            info = updater.get_targetinfo(LATEST)
            if info is None:
                raise UpdateUnavailable(f"The update repository at {where.shown} publishes no "
                                        "Hearth build yet.")
            pointer = Path(updater.download_target(info, str(self._folder / "latest.json")))
        newest, artefact = _read_latest(pointer, where.shown)
        timestamp = Metadata[Timestamp].from_file(str(self._folder / "metadata"
                                                      / "timestamp.json"))
        return Offer(self.installed, newest, artefact, where.shown, timestamp.signed.expires)

    def stage(self, activity: Activity) -> Path:
        """Download, verify and stage the newest version; the staged file's path. Refused
        while a sync runs or a note draft is open on this store, or when it is not newer."""
        _require_idle(activity)
        offer = self.check()
        if not offer.is_newer:
            raise UpdateRefused(offer.summary())
        updater, where = self._updater()
        staged = self._folder / "staged" / offer.newest / Path(offer.artefact).name
        partial = staged.with_name(f".{staged.name}.partial")
        with _translated(where.shown):
            info = updater.get_targetinfo(offer.artefact)
            if info is None:
                raise UpdateRefused(f"The update repository at {where.shown} names "
                                    f"{offer.artefact} as newest but does not sign it.")
            updater.download_target(info, str(partial))
        partial.replace(staged)
        return staged

    def _updater(self) -> tuple[Updater, Location]:
        repository = self._settings.repository
        if repository is None:
            raise UpdatesOff("The policy names no update repository (updates.repository), so "
                             "this workstation does not look for new versions.")
        where = location(repository, f"Hearth/{self.installed}")
        if where.metadata_url.startswith("file://") and not Path(where.shown).is_dir():
            raise UpdateUnavailable(f"The update repository {where.shown} is not there (is "
                                    "the USB stick plugged in and mounted?).")
        cache = self._folder / "metadata"
        cache.mkdir(parents=True, exist_ok=True)
        with _translated(where.shown):
            updater = Updater(str(cache), where.metadata_url, None, where.targets_url,
                              where.fetcher, bootstrap=self._trusted_root())
        return updater, where

    def _trusted_root(self) -> bytes:
        named = self._settings.trusted_root
        if named is None:
            return files("hearth_resources.updates").joinpath("root.json").read_bytes()
        try:
            return Path(named).read_bytes()
        except OSError as exc:
            raise UpdateUnavailable(f"Cannot read the trusted root {named} the policy names "
                                    f"(updates.trusted_root): {exc.strerror}.") from None


def _require_idle(activity: Activity) -> None:
    if activity.held(SYNC):
        raise UpdateRefused("A sync is running on this store; stage the update once it has "
                            "finished (Sync tab).")
    if activity.held(NOTE_DRAFT):
        raise UpdateRefused("A note draft is open on this store; stage the update once it is "
                            "signed or closed, so no note is interrupted.")


def _read_latest(pointer: Path, where: str) -> tuple[str, str]:
    try:
        latest = json.loads(pointer.read_bytes())
        newest, artefact = str(Version(latest["version"])), latest["artefact"]
    except (ValueError, KeyError, TypeError, InvalidVersion):
        raise UpdateRefused(f"The update repository at {where} signs a latest.json Hearth "
                            "cannot read; ask whoever publishes updates to rebuild it.") from None
    return newest, artefact


class _translated:
    """Turns python-tuf's exceptions into the sentences of app.updates.refusals."""

    def __init__(self, where: str):
        self._where = where

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, RepositoryError | DownloadError):
            raise refusal(exc, self._where) from None
        return False


