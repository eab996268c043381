"""Identifiers as one-stop centres write them: a dossier's code and the codes of the results issued for it.

A dossier code is `V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX` (e.g. `000.00.12.H40-240504-0001`): the receiving body's
code in four groups, the day the dossier was received, and its number that day. A result's code is the dossier's
followed by `-KQ<n>`.
"""
from __future__ import annotations

import datetime as dt
import re

_DOSSIER = re.compile(r"^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z]\d{2})-(\d{6})-(\d{4})$")


def dossier_code_problem(code: str) -> str | None:
    """Why ``code`` is not a one-stop dossier code, or None when it is one."""
    m = _DOSSIER.match(code)
    if not m:
        return (f"dossier code {code!r} is not in the one-stop format V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX "
                "(e.g. 000.00.12.H40-240504-0001)")
    try:
        dt.datetime.strptime(m[5], "%y%m%d")
    except ValueError:
        return f"dossier code {code!r} carries {m[5]}, which is not a date YYMMDD"
    return None


def result_code(dossier_code: str, n: int) -> str:
    """The code of the ``n``-th result issued for a dossier."""
    return f"{dossier_code}-KQ{n}"
