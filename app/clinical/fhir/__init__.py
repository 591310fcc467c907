"""FHIR knowledge the services share: validation against R4, identifiers, names, and modifier
extensions."""
