"""The kinds of payer the card offers are exactly the claim filing indicators the 837P 5010
allows in SBR09, as pyx12's map (an independent source) lists them."""

import xml.etree.ElementTree as ET
from importlib.resources import files

from app.clinical.patients import payer_kinds


def test_the_payer_kinds_are_the_837p_claim_filing_indicators():
    tree = ET.parse(str(files("pyx12").joinpath("map/837.5010.X222.A1.xml")))
    allowed = {code.text for element in tree.iter("element") if element.get("xid") == "SBR09"
               for code in element.iter("code")}
    offered = [kind.code for kind in payer_kinds.kinds()]
    assert sorted(offered) == sorted(allowed) and len(offered) == len(set(offered))
    assert payer_kinds.default_code() == "CI" and payer_kinds.name_of("MB") == "Medicare Part B"
