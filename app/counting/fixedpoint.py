"""Scaled-integer fixed-point numbers, the arithmetic every STV rule here is specified in.

A value ``v`` with ``places`` decimals is stored as the int ``v * 10**places``. Rules say
"truncate" (bcmath in SecurePoll, "any remainder being ignored" in SSI 2007/42 rule 48(3),
Python 2 integer division in OpenSTV); for the non-negative values of a count that is floor
division, which is what the engines use. Output keeps every digit: values are printed as decimal
strings, never floats.
"""

from __future__ import annotations


def to_str(value: int, places: int) -> str:
    """Format a scaled int with exactly ``places`` decimals (``6500001, 6 -> "6.500001"``)."""
    if places == 0:
        return str(value)
    sign = "-" if value < 0 else ""
    whole, frac = divmod(abs(value), 10**places)
    return f"{sign}{whole}.{frac:0{places}d}"
