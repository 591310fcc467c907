"""The chart's billing screens: coding a finished visit as its draft Claim."""
