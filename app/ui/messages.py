"""The sentence a clinician reads for a failure, as the views import it: the presenter is
sync.messages, the one the terminal and the sync worker use too, so the window never words
a failure differently (nor claims work was saved when no one knows)."""

from sync.messages import sentence

__all__ = ["sentence"]
