"""The sentence a clinician reads for a failure, as the views import it: the presenter is
fhir_common.messages, the one the terminal and the sync worker use too, so the window never words
a failure differently (nor claims work was saved when no one knows)."""

from fhir_common.messages import sentence

__all__ = ["sentence"]
