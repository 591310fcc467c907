"""What went wrong with the update repository, in a sentence for IT or the clinician.

python-tuf raises one exception per failed check, worded for its developers; each is said
here as what it means for this clinic: the repository was altered, replayed from an older
publication (a rollback or freeze attack), expired, or is not reachable. Nothing is staged
after any of them.
"""

import re

from tuf.api import exceptions

from app.errors import HearthError


class UpdateRefused(HearthError):
    title = "Update refused"
    exit_code = 6


class UpdateUnavailable(HearthError):
    title = "Cannot check for updates"
    exit_code = 6


ROLE = re.compile(r"\b(root|timestamp|snapshot|targets)\b")


def refusal(exc: Exception, where: str) -> HearthError:
    """The sentence for `exc`, raised while reading the repository at `where`."""
    text = str(exc)
    role = (ROLE.search(text) or ROLE.search(type(exc).__name__.lower()))
    role = role.group(1) if role else "metadata"
    if isinstance(exc, exceptions.ExpiredMetadataError):
        return UpdateRefused(
            f"The update repository at {where} has an expired {role} signature, so nothing "
            "from it can be trusted now (an old copy replayed, or one not re-signed in "
            "time). Whoever publishes updates re-signs it: packaging/build tuf-repo DIR "
            "--refresh.")
    if isinstance(exc, exceptions.BadVersionNumberError):
        return UpdateRefused(
            f"The update repository at {where} offers older {role} metadata than this "
            f"workstation has already seen ({text}): an old publication is being replayed, "
            "so it was refused. Ask IT to check the repository or the USB stick's copy.")
    if isinstance(exc, exceptions.LengthOrHashMismatchError):
        return UpdateRefused(
            f"A file in the update repository at {where} is not the one its signed metadata "
            "describes (its size or hash differs): it was altered or damaged, so it was not "
            "staged.")
    if isinstance(exc, exceptions.UnsignedMetadataError):
        return UpdateRefused(
            f"The update repository at {where} has {role} metadata not signed by the keys "
            "this workstation trusts: it was altered, or signed with other keys.")
    if isinstance(exc, exceptions.DownloadHTTPError) and exc.status_code in (403, 404):
        return UpdateUnavailable(
            f"The update repository at {where} lacks a file Hearth needs ({text}); is it "
            "a whole copy of the repository?")
    if isinstance(exc, exceptions.DownloadError):
        return UpdateUnavailable(f"Could not reach the update repository at {where} "
                                 f"({text}). Hearth will try again later.")
    if isinstance(exc, exceptions.RepositoryError):  # malformed metadata among them
        return UpdateRefused(
            f"The update repository at {where} sent metadata that does not verify ({text}); "
            "it was refused.")
    raise exc
