"""Which safety packs are in force, and the status sentence every caller shows.

The shipped pack is resources/safety/onc-high-priority.json. A clinic's packs (imported with
`hearth knowledge import FILE`) live in the store's directory, `<store>/knowledge/safety/`:
they go wherever the store goes (backup, move) and every workstation of that store sees the
same ones, without writing to the installed program. A clinic pack whose header says
"replaces_shipped": true is used in place of the shipped one; otherwise beside it.

Checks never fail silently: a missing, damaged or outdated pack, or rows left out, give a
PackStatus whose sentence the screens show in a red banner and the CLI prints; ordering then
asks for an explicit acknowledgement (`needs_acknowledgement`).
"""

import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from pathlib import Path

from app.clinical.records import Records
from app.clinical.safety.pack import Pack, PackDamaged, parse
from app.errors import UsageError
from app.security.roles import Permission
from app.security.session import Session

SHIPPED = "onc-high-priority.json"
CLINIC_DIR = ("knowledge", "safety")
NO_PACK = ("No medication safety pack is installed, so no interaction, allergy or duplicate "
           "check can run. Ask IT to reinstall Hearth or import a pack (hearth knowledge "
           "import FILE).")


@dataclass(frozen=True)
class PackStatus:
    """How far the checks can be trusted. `sentence` is None only when every pack is whole,
    current and readable."""

    state: str  # "ok", "outdated", "partial", "damaged" or "missing"
    sentence: str | None
    can_check: bool  # False: no pack loaded, so no check can run at all

    @property
    def needs_acknowledgement(self) -> bool:
        """Ordering while this is so asks the prescriber to acknowledge the sentence."""
        return self.state != "ok"


@dataclass(frozen=True)
class Knowledge:
    """The packs in force and what is wrong with them."""

    packs: tuple[Pack, ...]
    status: PackStatus


def clinic_dir(store_root: Path) -> Path:
    return store_root.joinpath(*CLINIC_DIR)


def shipped_path() -> Path:
    return Path(str(files("hearth_resources.safety").joinpath(SHIPPED)))


def load_knowledge(store_root: Path | None, shipped: Path | None = None,
                   today: date | None = None) -> Knowledge:
    """Every pack in force for the store at `store_root` (None: the shipped pack alone)."""
    shipped = shipped or shipped_path()
    today = today or date.today()
    packs, damaged = [], []
    clinic = sorted(clinic_dir(store_root).glob("*.json")) if store_root else []
    for path in clinic:
        _read(path, packs, damaged)
    if not any(p.replaces_shipped for p in packs):
        if shipped.exists():
            _read(shipped, packs, damaged)
        elif packs:  # the clinic's packs were meant to be used beside it
            damaged.append(f"The shipped pack {shipped} is missing; only the clinic's "
                           "packs were used.")
    return Knowledge(tuple(packs), _status(packs, damaged, today))


def _read(path: Path, packs: list[Pack], damaged: list[str]) -> None:
    try:
        packs.append(parse(path.read_bytes(), str(path)))
    except PackDamaged as exc:
        damaged.append(f"The medication safety pack is damaged, so its rules were not used: "
                       f"{exc}")
    except OSError as exc:
        damaged.append(f"The medication safety pack {path} cannot be read ({exc.strerror}), "
                       "so its rules were not used.")


def _status(packs: list[Pack], damaged: list[str], today: date) -> PackStatus:
    if not packs and not damaged:
        return PackStatus("missing", NO_PACK, False)
    said = list(damaged)
    partial = [p for p in packs if p.problems]
    for pack in partial:
        said.append(f"{len(pack.problems)} rule(s) of the pack {_named(pack)} could not be "
                    f"read and were left out, e.g. {pack.problems[0]}.")
    outdated = [p for p in packs if p.review_by < today]
    for pack in outdated:
        said.append(f"The pack {_named(pack)} was due for review on {pack.review_by}: its "
                    "checks ran but may miss newer knowledge; ask IT for a current pack.")
    if not packs:
        said.append("No check can run.")
    state = ("damaged" if damaged else "partial" if partial else
             "outdated" if outdated else "ok")
    return PackStatus(state, " ".join(said) or None, bool(packs))


def _named(pack: Pack) -> str:
    return f"'{pack.name}' version {pack.version}"


def install(raw: bytes, store_root: Path, given_name: str) -> tuple[Pack, Path]:
    """Check a pack file and put it among the store's packs (one of the same name is
    replaced); raises PackDamaged when it is not a pack or no rule in it can be read. The
    file is written whole to a temporary name and renamed, so a crash leaves no half pack."""
    pack = parse(raw, given_name)
    if not any(pack.counts().values()):
        raise PackDamaged(f"{given_name} holds no rule that could be read"
                          + (f": {'; '.join(pack.problems[:3])}" if pack.problems else "."))
    folder = clinic_dir(store_root)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    slug = re.sub(r"[^a-z0-9]+", "-", pack.name.casefold()).strip("-") or "pack"
    target = folder / f"{slug}.json"
    handle, scratch = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(handle, "wb") as out:
        out.write(raw)
        out.flush()
        os.fsync(out.fileno())
    os.replace(scratch, target)
    return pack, target


def import_pack(records: Records, session: Session, source: Path, store_root: Path
                ) -> tuple[Pack, Path]:
    """`hearth knowledge import FILE`: an admin installs a pack for the store, audited; the
    audit row commits only if the pack was installed."""
    session.require(Permission.MAINTAIN_STORE)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise UsageError(f"Cannot read the pack file {source}: {exc.strerror}.") from None
    with records.write(session, Permission.MAINTAIN_STORE) as work:
        try:
            pack, target = install(raw, store_root, str(source))
        except PackDamaged as exc:
            raise UsageError(f"{exc} Nothing was installed.") from None
        work.audit("create", entity="KnowledgePack", detail=(
            f"safety pack imported: {pack.name} version {pack.version} from {source} "
            f"({len(pack.problems)} row(s) left out)"))
    return pack, target
