"""Bringing one local edit together with the server's newer version of the same resource.

Used by push (the server answered 412 or 409) and by pull (a newer version arrived for a
resource edited here). Nothing is ever decided for a person: a clean three-way merge is kept
and sent; anything else becomes a conflict record holding both sides. So does a record that
carries a modifier Hearth does not understand, however cleanly its fields would merge.
"""

from sync.local import LocalSide, PendingChange, RemoteVersion
from sync.merge import three_way_merge, unknown_modifiers


def reconcile(local: LocalSide, change: PendingChange, remote: RemoteVersion) -> str:
    """What became of the edit: "confirmed", "merged", "conflict" or "retry" (edited again
    meanwhile: the next round sends the newer edit)."""
    if remote.deleted:
        if change.op == "delete":
            local.confirm(change, remote)
            return "confirmed"
        return _conflict(local, change, remote, "deleted",
                         "deleted on the server while it was edited here")
    if change.op == "delete":
        return _conflict(local, change, remote, "deleted",
                         "edited on the server while it was deleted here")
    result = three_way_merge(change.base, change.resource, remote.resource)
    if not result.conflicts and _content(result.merged) == _content(remote.resource):
        local.confirm(change, remote)  # already there (a lost answer): nothing to merge
        return "confirmed"
    changed = "changed here and on the server: " + ", ".join(result.conflicts)
    if modifiers := unknown_modifiers(change.base, change.resource, remote.resource):
        return _conflict(local, change, remote, "edit",
                         f"it carries a modifier Hearth does not understand "
                         f"({', '.join(modifiers)}), so it is not merged automatically"
                         + (f"; {changed}" if result.conflicts else ""))
    if result.conflicts:
        return _conflict(local, change, remote, "edit", changed)
    return "merged" if local.replace_with_merge(change, remote, result.merged) else "retry"


def _conflict(local: LocalSide, change: PendingChange, remote: RemoteVersion, kind: str,
              reason: str) -> str:
    return "conflict" if local.record_conflict(change, remote, kind, reason) else "retry"


def _content(resource: dict) -> dict:
    """What a person wrote: the resource without the server's meta, but with its security
    labels (sync.merge keeps them)."""
    content = {k: v for k, v in resource.items() if k != "meta"}
    if labels := resource.get("meta", {}).get("security"):
        content["meta.security"] = labels
    return content
