"""The front desk registers a new patient: the form, and who they may already be."""
