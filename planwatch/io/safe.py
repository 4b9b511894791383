"""Text cells that a spreadsheet must never run: CSV/formula injection.

A task title or a note typed as ``=HYPERLINK(...)`` or ``@SUM(...)`` would run as a formula when
an exported file is opened in Excel.  Exported text that starts with one of the trigger
characters is prefixed with an apostrophe (the OWASP advice); the importers strip exactly that
prefix again, so an export → import round trip gives back the original text.
"""
from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text):
    if isinstance(text, str) and text.startswith(TRIGGERS):
        return "'" + text
    return text


def restore(text):
    """Undo ``neutralise`` on imported text."""
    if isinstance(text, str) and len(text) > 1 and text[0] == "'" and text[1:].startswith(TRIGGERS):
        return text[1:]
    return text
