"""Hearth: an offline-first clinical workstation over an encrypted, FHIR-native local store."""
