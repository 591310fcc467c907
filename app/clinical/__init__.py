"""Clinical services: the only way patient data is read or written. No Qt here."""
