"""Text cells that a spreadsheet must never run (CSV/formula injection), both ways.

Exporting uses the governance helper's ``spreadsheet_safe`` (an apostrophe before text that
starts with =, +, -, @ and their full-width forms), so every workbook and CSV planwatch writes
is neutralised the same way.  ``restore`` is its inverse for importers: exactly that one added
apostrophe is removed again, so an export → import round trip gives back the original text.
"""
from __future__ import annotations

from planwatch.accounts.safety import FORMULA_TRIGGERS, spreadsheet_safe

neutralise = spreadsheet_safe


def restore(text):
    """Undo ``neutralise`` on imported text."""
    if isinstance(text, str) and len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text
