"""Lab and imaging orders (FHIR ServiceRequest), the order catalogue and order sets, and the
sig builder that turns a medication's dose fields into words and a FHIR Dosage."""
