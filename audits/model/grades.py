"""Ofsted's four-point grade scale, as practice audits and the board use it."""

GRADES = ("Outstanding", "Good", "Requires improvement to be good", "Inadequate")
GOOD_OR_BETTER = GRADES[:2]
