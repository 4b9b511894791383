"""Cleaning a planner's text so that every output format can carry it unchanged in meaning.

Narratives are typed into forms, pasted from Word or read out of documents, so they can hold
characters that break a format: NUL and other C0 controls are illegal in XML (python-docx
raises, Word refuses the file), a lone surrogate cannot be encoded as UTF-8 at all, and a
vertical tab is Word's own manual line break. ``clean`` maps them once, at the model's edge,
so the renderers only have to escape markup, never to repair text.
"""
from __future__ import annotations

import re

# \x0b (vertical tab) and \x0c (form feed) are line breaks in Word's own text; \r\n and \r are
# line breaks everywhere. Everything else below 0x20 except \t and \n carries no meaning here.
_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\u2028\u2029\x85]")
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffe\uffff]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def clean(text: str | None) -> str:
    """Text safe for XML, HTML and Markdown: line breaks normalised to \\n, controls removed,
    lone surrogates replaced by U+FFFD (so the reader sees that something was there)."""
    if not text:
        return ""
    text = str(text)
    # a well-formed surrogate pair in a Python str is already one code point; anything in the
    # surrogate range left over is lone and cannot be written as UTF-8
    text = _SURROGATES.sub(REPLACEMENT, text)
    text = _BREAKS.sub("\n", text)
    return _CONTROLS.sub("", text)


def paragraphs(text: str | None) -> list[str]:
    """A narrative split into its paragraphs (blank lines and single newlines both separate)."""
    return [p.strip() for p in clean(text).split("\n") if p.strip()]
