"""The chart's Orders tab: lab, imaging and medication orders, order sets, the basket."""
