"""The report as content, before it is Word, HTML or Markdown.

``build.py`` turns database rows into one ``Report``; each renderer only decides how a heading,
a paragraph, a table or a chart looks in its format. Every number is a ``Num`` that names its
source, so the HTML can link it, the Markdown can footnote it and the Word appendix (数据来源)
can list it: the provenance travels with the figure instead of being reconstructed per format.

All text in the model has passed ``text.clean`` (no control characters, no lone surrogates);
escaping markup is the renderer's job.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from planwatch.reports.text import clean


@dataclass(frozen=True)
class Text:
    text: str
    bold: bool = False

    def __post_init__(self):
        object.__setattr__(self, "text", clean(self.text))


@dataclass(frozen=True)
class Num:
    """A figure as printed ("1499.7", "55.5") with the id of the source it came from."""

    text: str
    source: str

    def __post_init__(self):
        object.__setattr__(self, "text", clean(self.text))


Run = Union[Text, Num]


def runs(*parts) -> list[Run]:
    """Runs from strings and runs: ``runs("实现", Num("1499.7", "s1"), "亿元")``."""
    return [Text(p) if isinstance(p, str) else p for p in parts if p != ""]


@dataclass
class Paragraph:
    """Body text. ``source`` names the record a whole paragraph came from (a planner's narrative)."""

    runs: list[Run]
    source: str | None = None
    style: str = "body"  # "body" | "list" (numbered item) | "note" (small print under a table or chart)

    @property
    def plain(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[list[Run]]]
    levels: list[str | None] = field(default_factory=list)  # per row: green/yellow/red/missing/None

    def __post_init__(self):
        self.caption = clean(self.caption)
        self.header = [clean(h) for h in self.header]


@dataclass
class Chart:
    key: str
    title: str
    png: bytes
    alt: str
    width_cm: float = 15.0


Block = Union[Paragraph, Table, Chart]


@dataclass
class Section:
    """A heading and what follows it. Level 1: 一、… ; level 2: (一)… ; level 3: 1.…"""

    heading: str
    level: int
    blocks: list[Block] = field(default_factory=list)

    def __post_init__(self):
        self.heading = clean(self.heading)


@dataclass(frozen=True)
class Source:
    """Where one or more figures came from, in words a planner can check."""

    id: str
    label: str          # what the figure is: 地区生产总值 东城区 2021年上半年
    lines: tuple[str, ...]  # where it came from: 导入/填报/文档抽取, document + quote, who entered and approved

    def __post_init__(self):
        object.__setattr__(self, "label", clean(self.label))
        object.__setattr__(self, "lines", tuple(clean(x) for x in self.lines))


@dataclass
class Report:
    title: str
    org_name: str
    period_code: str
    sections: list[Section]
    sources: list[Source]
    approved_only: bool = False
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.title = clean(self.title)

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        raise KeyError(source_id)

    def source_number(self, source_id: str) -> int:
        """The 1-based number a source has in the appendix."""
        return self._numbers()[source_id]

    def _numbers(self) -> dict[str, int]:
        cache = getattr(self, "_number_cache", None)
        if cache is None or len(cache) != len(self.sources):
            cache = {s.id: i for i, s in enumerate(self.sources, 1)}
            self._number_cache = cache
        return cache

    def cited_numbers(self) -> dict[str, list[str]]:
        """Per source, the figures printed from it (each once, in reading order)."""
        out: dict[str, list[str]] = {}
        for n in self.numbers():
            seen = out.setdefault(n.source, [])
            if n.text not in seen:
                seen.append(n.text)
        return out

    def numbers(self):
        """Every ``Num`` in reading order (for tests and for checking the appendix is complete)."""
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    yield from (r for r in block.runs if isinstance(r, Num))
                elif isinstance(block, Table):
                    for row in block.rows:
                        for cell in row:
                            yield from (r for r in cell if isinstance(r, Num))
