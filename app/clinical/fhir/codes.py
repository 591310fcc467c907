"""Code systems and codes that charting and the safety checks share, kept below both so
neither imports the other to learn them."""

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SNOMED = "http://snomed.info/sct"
NO_KNOWN_ALLERGY = "716186003"
ANY = frozenset()  # contradicted by an allergy of any category
# The "no known ..." situations of SNOMED CT, each with the allergy categories that
# contradict it.
NO_KNOWN: dict[str, frozenset[str]] = {
    NO_KNOWN_ALLERGY: ANY,
    "409137002": frozenset({"medication"}),  # No known drug allergy
    "429625007": frozenset({"food"}),  # No known food allergy
    "428607008": frozenset({"environment"}),  # No known environmental allergy
}
