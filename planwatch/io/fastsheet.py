"""Streaming the few columns an import needs straight out of a worksheet's XML.

openpyxl builds a cell object, with its style, for every cell of every row; a 50,000-row
template has 600,000 cells of which the import reads five columns.  This reader walks the sheet
XML once with lxml, decodes only the wanted columns, and reproduces
what openpyxl would say about those cells (shared and inline strings, booleans, errors, formulas,
Excel dates via the workbook's date styles, number formats), using the workbook object that
openpyxl opened in read-only mode for the shared strings and styles.  Merged ranges are
collected on the same pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lxml import etree  # installed with python-docx; much faster than ElementTree here
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils.datetime import from_excel

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _C, _V, _F, _IS, _T, _MERGE = (NS + t for t in ("row", "c", "v", "f", "is", "t", "mergeCell"))
_REF = re.compile(r"^([A-Z]+)(\d+)$")


@dataclass(frozen=True)
class RawCell:
    """What an importer needs of a cell: the value openpyxl would give, its type and number format."""

    value: object
    data_type: str
    number_format: str


class SheetStream:
    """Rows of selected columns of one read-only worksheet, plus its merged ranges."""

    def __init__(self, wb, ws):
        self.wb, self.ws = wb, ws
        self.merged: list[str] = []
        self._formats: dict[int, str] = {}

    def _number_format(self, style_id: int) -> str:
        fmt = self._formats.get(style_id)
        if fmt is None:
            styles = self.wb._cell_styles
            fmt = "General"
            if style_id < len(styles):
                num_id = styles[style_id].numFmtId
                if num_id < BUILTIN_FORMATS_MAX_SIZE:
                    fmt = BUILTIN_FORMATS.get(num_id, "General")
                else:
                    fmt = self.wb._number_formats[num_id - BUILTIN_FORMATS_MAX_SIZE]
            self._formats[style_id] = fmt
        return fmt

    def rows(self, columns: set[str], min_row: int = 1, every_column_until: int = 0) -> dict[int, dict[str, RawCell]]:
        """{row number: {column letter: RawCell}} for the wanted columns (absent cells are absent).

        Rows up to ``every_column_until`` (a header) are decoded whole.
        """
        result: dict[int, dict[str, RawCell]] = {}
        strings = self.wb.shared_strings
        date_styles = self.wb._date_formats
        epoch = self.wb.epoch
        with self.ws._get_source() as src:
            for _, el in etree.iterparse(src, events=("end",), tag=(_ROW, _MERGE), huge_tree=True):
                if el.tag == _MERGE:
                    self.merged.append(el.get("ref"))
                    continue
                r = int(el.get("r"))
                if r >= min_row:
                    cells = {}
                    for c in el.iter(_C):
                        m = _REF.match(c.get("r", ""))
                        if m is None or (r > every_column_until and m.group(1) not in columns):
                            continue
                        cells[m.group(1)] = self._cell(c, strings, date_styles, epoch)
                    if cells:
                        result[r] = cells
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
        return result

    def _cell(self, c, strings, date_styles, epoch) -> RawCell:
        t = c.get("t", "n")
        style_id = int(c.get("s", 0) or 0)
        fmt = self._number_format(style_id) if style_id else "General"
        f = c.find(_F)
        if f is not None:
            return RawCell(f"={f.text or ''}", "f", fmt)
        if t == "inlineStr":
            node = c.find(_IS)
            text = "".join(x.text or "" for x in node.iter(_T)) if node is not None else ""
            return RawCell(text or None, "s", fmt)
        v = c.findtext(_V)
        if v is None:
            return RawCell(None, "n", fmt)
        if t == "s":
            return RawCell(str(strings[int(v)]), "s", fmt)
        if t == "str":
            return RawCell(v, "s", fmt)
        if t == "b":
            return RawCell(v.strip() in ("1", "true"), "b", fmt)
        if t == "e":
            return RawCell(v, "e", fmt)
        if t == "d":
            return RawCell(datetime.fromisoformat(v.rstrip("Z")), "d", fmt)
        number = float(v)
        if style_id in date_styles:
            return RawCell(from_excel(number, epoch), "d", fmt)
        return RawCell(int(number) if number.is_integer() and "." not in v and "E" not in v.upper() else number, "n", fmt)
