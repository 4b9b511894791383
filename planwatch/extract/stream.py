"""Facts of a large text file in constant memory: decode in chunks cut at sentence ends.

A fact never spans a sentence end (its qualifiers and subject live in its sentence), so cutting
the text after the last 。/!/?/;/newline of a chunk loses nothing; the tail is carried into the
next chunk.  Offsets stay offsets into the whole decoded text.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterator

from planwatch.extract.grammar import Fact, extract_facts
from planwatch.extract.reader import DocumentError, detect_encoding, read_document

CHUNK_CHARS = 1 << 18


def iter_text_chunks(path: str | Path, chunk_chars: int = CHUNK_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, text) pieces of a text file, each ending at a sentence end where there is one."""
    path = Path(path)
    with open(path, "rb") as fh:
        sample = fh.read(65536)
    if not sample.strip():
        raise DocumentError(path, "the file is empty")
    encoding = detect_encoding(sample)
    if encoding is None:
        raise DocumentError(path, "undecodable bytes: not UTF-8, UTF-16 or GB18030/GBK text")
    offset = 0
    carry = ""
    first = True
    try:
        with open(path, encoding=encoding) as fh:  # universal newlines, as read_document
            while True:
                block = fh.read(chunk_chars)
                if first:
                    block = block.lstrip("\ufeff") if block.startswith("\ufeff") else block
                    first = False
                if not block:
                    break
                text = carry + block
                cut = _last_sentence_end(text)
                if cut <= 0:
                    if len(text) < 4 * chunk_chars:
                        carry = text  # no sentence end yet: wait for more, within reason
                        continue
                    # a run-on text: cut at a clause end rather than inside a number
                    cut = max(text.rfind(ch) for ch in ",，、 ") + 1 or len(text)
                yield offset, text[:cut]
                offset += cut
                carry = text[cut:]
    except UnicodeDecodeError as e:
        raise DocumentError(path, f"undecodable bytes as {encoding} near byte {e.start}") from e
    if carry:
        yield offset, carry


def _last_sentence_end(text: str) -> int:
    i = max(text.rfind(ch) for ch in "。!?;\n！？；")
    return i + 1


def stream_facts(path: str | Path, chunk_chars: int = CHUNK_CHARS) -> Iterator[Fact]:
    """Facts of a document; .txt files are read in chunks, other formats whole."""
    path = Path(path)
    if path.suffix.lower() in (".txt", ".text"):
        for offset, chunk in iter_text_chunks(path, chunk_chars):
            yield from extract_facts(chunk, offset=offset)
    else:
        yield from extract_facts(read_document(path).text)
