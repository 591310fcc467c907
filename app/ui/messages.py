"""Turning any failure into the one sentence a clinician reads."""


def sentence(exc: BaseException) -> str:
    """HearthError and SyncError carry a title and a message written for people."""
    title, message = getattr(exc, "title", None), getattr(exc, "message", None)
    if title and message:
        return f"{title}: {message}"
    return f"Something went wrong ({type(exc).__name__}: {exc}). Your work is saved."
