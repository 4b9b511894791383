"""Read a report file into text: .txt in any of the encodings offices save in, .docx, .pdf, .html.

Offices save text as UTF-8 (with or without BOM), GB18030/GBK or UTF-16; nobody says which, so
the encoding is detected.  Whatever cannot be read - an empty file, a scanned PDF with no text
layer, an unknown type, bytes that decode as nothing sensible - raises ``DocumentError`` naming
the file and the reason, because a silent empty extraction looks like "no facts" to a reviewer.
"""
from __future__ import annotations

import codecs
import hashlib
import html.parser
import io
import re
from dataclasses import dataclass
from pathlib import Path

FORMATS = {".txt": "txt", ".text": "txt", ".docx": "docx", ".pdf": "pdf", ".html": "html", ".htm": "html"}


class DocumentError(ValueError):
    """A document that cannot be read, with the file and the reason."""

    def __init__(self, path, reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


@dataclass
class Document:
    name: str
    format: str
    encoding: str
    text: str
    sha256: str
    size: int


def read_document(path: str | Path) -> Document:
    """Decode a report file; raises DocumentError when it holds no readable text."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise DocumentError(path, f"unknown document type {path.suffix or '(no extension)'!r}; "
                                  f"expected one of {', '.join(sorted(FORMATS))}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise DocumentError(path, f"cannot be read: {e.strerror or e}") from e
    if not data.strip():
        raise DocumentError(path, "the file is empty")
    encoding = ""
    if fmt == "txt":
        text, encoding = decode_bytes(data, path)
    elif fmt == "html":
        raw, encoding = decode_bytes(data, path, declared=_declared_charset(data))
        text = html_to_text(raw)
    elif fmt == "docx":
        text = _docx_text(data, path)
    else:
        text = _pdf_text(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        reason = "the PDF has no text layer (a scanned image?); run OCR first" if fmt == "pdf" else "no text in the document"
        raise DocumentError(path, reason)
    return Document(path.name, fmt, encoding, text, hashlib.sha256(data).hexdigest(), len(data))


# --- text encodings ------------------------------------------------------------------------

_BOMS = [(codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]


def detect_encoding(sample: bytes) -> str | None:
    """The encoding of a text sample (possibly cut mid-character at its end), or None.

    A BOM decides; then UTF-8, which random bytes almost never pass; then whichever of GB18030
    and UTF-16 (no BOM) decodes into the most ordinary text: Chinese, ASCII, CJK punctuation.
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    if _looks_utf16(sample):
        return "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
    best, best_quality = None, 0.0
    for name in ("utf-8", "gb18030", "utf-16-le", "utf-16-be"):
        try:
            text = codecs.getincrementaldecoder(name)("strict").decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        if not _plausible(text):
            continue
        if name == "utf-8":
            return name
        quality = _ordinary_share(text)
        if quality > best_quality:
            best, best_quality = name, quality
    return best if best_quality >= 0.6 else None


_ORDINARY = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff00-\uffef\x20-\x7e\t\n\r\u2018-\u201d]")


def _ordinary_share(text: str) -> float:
    head = text[:20000]
    return len(_ORDINARY.findall(head)) / len(head) if head else 0.0


def decode_bytes(data: bytes, path, declared: str | None = None) -> tuple[str, str]:
    """Bytes of a text file -> (text, encoding name); DocumentError when nothing fits."""
    candidates = []
    if declared:
        candidates.append(declared)
    found = detect_encoding(data)
    if found:
        candidates.append(found)
    for name in candidates:
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if _plausible(text):
            return text.lstrip("\ufeff"), name
    raise DocumentError(path, "undecodable bytes: not UTF-8, UTF-16 or GB18030/GBK text")


def _looks_utf16(sample: bytes) -> bool:
    """UTF-16 without a BOM: a NUL in every other byte of ASCII-heavy text."""
    if len(sample) < 4:
        return False
    zeros = sample[0::2].count(0) + sample[1::2].count(0)
    return zeros >= len(sample) // 4 and (sample[0::2].count(0) == 0 or sample[1::2].count(0) == 0)


_ODD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ue000-\uf8ff\ufffd]")


def _plausible(text: str) -> bool:
    """Decoded text that is mostly control or private-use characters was the wrong guess."""
    if not text:
        return True
    return len(_ODD.findall(text[:20000])) <= max(2, len(text[:20000]) // 100)


# --- HTML --------------------------------------------------------------------------------------

_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_\-]+)", re.I)


def _declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    return "gb18030" if name in ("gb2312", "gbk", "gb18030") else name


class _TextParser(html.parser.HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "table", "title"}
    SKIP = {"script", "style", "noscript", "template"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIP:
            self.skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    p = _TextParser()
    p.feed(markup)
    p.close()
    text = "".join(p.parts)
    text = re.sub(r"[ \t]*\n[ \t\n]*", "\n", text)
    return text.strip()


# --- Word and PDF ------------------------------------------------------------------------------

def _docx_text(data: bytes, path) -> str:
    try:
        import docx  # python-docx
        d = docx.Document(io.BytesIO(data))
    except Exception as e:  # a zip that is not a Word file raises several kinds
        raise DocumentError(path, f"not a readable .docx file ({type(e).__name__}: {e})") from e
    lines = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            lines.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(lines)


def _pdf_text(data: bytes, path) -> str:
    try:
        from pypdf import PdfReader
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentError(path, "the PDF is encrypted")
        return "\n".join((page.extract_text() or "") for page in reader.pages)
    except DocumentError:
        raise
    except Exception as e:
        raise DocumentError(path, f"not a readable PDF ({type(e).__name__}: {e})") from e
