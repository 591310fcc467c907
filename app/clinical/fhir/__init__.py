"""FHIR knowledge the services share: validation against R4, identifiers, references, names,
reading files and values a person gives, and modifier extensions."""
