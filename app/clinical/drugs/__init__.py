"""The offline drug catalogue: RxNorm products and ingredients and the drug classes that the
safety checks and the ordering screens share."""
