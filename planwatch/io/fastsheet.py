"""Streaming the few columns an import needs straight out of a worksheet's XML.

openpyxl builds a cell object, with its style, for every cell of every row; a 50,000-row
template has 600,000 cells of which the import reads five columns.  This reader decodes only the
wanted columns and reproduces what openpyxl would say about those cells (shared and inline
strings, booleans, errors, formulas, Excel dates via the workbook's date styles, number
formats), using what openpyxl read when it opened the workbook in read-only mode: the styles of
the workbook and the shared-string table handed to the read-only sheet.  Merged ranges are collected on the same pass.

Two readers give the same answer:

- the plain-sheet reader, for XML written the way Excel, WPS, LibreOffice and openpyxl write
  it (one default namespace, every ``<row>`` and ``<c>`` starting with its ``r`` attribute,
  values as ``<v>`` or inline ``<is><t>``).  It checks that the whole document is well-formed
  XML with libxml2 (no Python call per element), then picks the wanted cells out of the bytes
  with regular expressions.  Before trusting them it proves that nothing was skipped: every
  row and wanted cell in the document was matched, the file has no comments, CDATA, DOCTYPE
  or processing instructions, and no second namespace for the sheet elements.
- the element reader (lxml iterparse), for everything else: a formula, rich text, a prefixed
  namespace, attributes in another order, a sheet too large to hold in memory.  The plain
  reader hands over to it whenever anything is not as expected, so an unusual file is read
  more slowly, never differently.
"""
from __future__ import annotations

import io
import re
from datetime import datetime
from typing import NamedTuple

from lxml import etree  # installed with python-docx; much faster than ElementTree here
from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE
from openpyxl.utils.datetime import from_excel

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS = "{" + MAIN + "}"
_ROW, _C, _V, _F, _IS, _T, _MERGE = (NS + t for t in ("row", "c", "v", "f", "is", "t", "mergeCell"))
_REF = re.compile(r"^([A-Z]+)(\d+)$")

# A sheet XML larger than this is streamed by the element reader instead of held in memory
# (a 20 MB upload can unpack to far more; a 50,000-row template is about 45 MB).
PLAIN_MAX_BYTES = 256 * 1024 * 1024


class RawCell(NamedTuple):
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
        self.reader = ""  # "plain" or "element": which reader gave the last rows()

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

    def rows(self, columns: set[str], min_row: int = 1, every_column_until: int = 0, *,
             plain: bool = True) -> dict[int, dict[str, RawCell]]:
        """{row number: {column letter: RawCell}} for the wanted columns (absent cells are absent).

        Rows up to ``every_column_until`` (a header) are decoded whole.  ``plain=False`` forces
        the element reader (tests compare the two).
        """
        data = None
        if plain:
            with self.ws._get_source() as src:
                data = src.read(PLAIN_MAX_BYTES + 1)
            if len(data) > PLAIN_MAX_BYTES:
                data = None
        if data is not None:
            found = _PlainReader(self, data, columns, min_row, every_column_until).read()
            if found is not None:
                self.reader = "plain"
                self.merged = found[1]
                return found[0]
        self.reader = "element"
        self.merged = []
        if data is not None:
            return self._element_rows(io.BytesIO(data), columns, min_row, every_column_until)
        with self.ws._get_source() as src:
            return self._element_rows(src, columns, min_row, every_column_until)

    def _element_rows(self, src, columns, min_row, every_column_until) -> dict[int, dict[str, RawCell]]:
        result: dict[int, dict[str, RawCell]] = {}
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
                    cells[m.group(1)] = self._element_cell(c)
                if cells:
                    result[r] = cells
            el.clear()
            while el.getprevious() is not None:
                del el.getparent()[0]
        return result

    def _element_cell(self, c) -> RawCell:
        f = c.find(_F)
        formula = None if f is None else (f.text or "")
        inline = None
        if formula is None and c.get("t", "n") == "inlineStr":
            node = c.find(_IS)
            inline = "".join(x.text or "" for x in node.iter(_T)) if node is not None else ""
        return self.cell(c.get("t", "n"), c.get("s", 0), formula, inline, c.findtext(_V))

    def cell(self, t: str, s, formula: str | None, inline: str | None, v: str | None) -> RawCell:
        """The cell openpyxl would give for type ``t``, style attribute ``s`` and the cell's
        formula text, inline-string text and ``<v>`` text (each None when absent)."""
        style_id = int(s or 0)
        fmt = self._number_format(style_id) if style_id else "General"
        if formula is not None:
            return RawCell(f"={formula}", "f", fmt)
        if t == "inlineStr":
            return RawCell((inline or "") or None, "s", fmt)
        if v is None:
            return RawCell(None, "n", fmt)
        if t == "s":
            # the read-only sheet holds the table; openpyxl leaves the workbook's own list empty
            return RawCell(str(self.ws._shared_strings[int(v)]), "s", fmt)
        if t == "str":
            return RawCell(v, "s", fmt)
        if t == "b":
            return RawCell(v.strip() in ("1", "true"), "b", fmt)
        if t == "e":
            return RawCell(v, "e", fmt)
        if t == "d":
            return RawCell(datetime.fromisoformat(v.rstrip("Z")), "d", fmt)
        number = float(v)
        if style_id in self.wb._date_formats:
            return RawCell(from_excel(number, self.wb.epoch), "d", fmt)
        return RawCell(int(number) if number.is_integer() and "." not in v and "E" not in v.upper() else number, "n", fmt)


# -- the plain-sheet reader -------------------------------------------------------------------

_HEAD = re.compile(rb"(?:\xef\xbb\xbf)?(<\?xml[^>]*\?>)?\s*<worksheet[\s>]")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_DEFAULT_NS = re.compile(rb"""xmlns\s*=\s*["']""")
_ROOT_NS = re.compile(rb'<worksheet[^>]*\sxmlns="' + MAIN.encode() + rb'"')
_ATTRS = re.compile(rb'(?:\s+[\w:.\-]+="[^"<&]*")*\s*')  # what the scan's lazy attribute runs must be
_ODD_ROW = re.compile(rb'<row(?! r="\d)[\s>/]')
_ODD_CELL = re.compile(rb'<c(?! r=")[\s>/]')
_ROW_AT = re.compile(rb'<row r="(\d+)"([^>]*?)(?:/>|>(.*?)</row>)', re.S)
_ANY_CELL = re.compile(rb'<c r="([A-Z]+)\d+"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
_MERGE_CELL = re.compile(rb'<mergeCell ref="([^"<&]*)"\s*/>')
_MERGE_START = re.compile(rb"<mergeCell[\s>/]")
_ATTR = re.compile(rb'([\w:.\-]+)="([^"]*)"')
# the only cell bodies read here: nothing, a <v>, or an inline string of one plain <t>
_BODY_V = re.compile(rb"<v>([^<]*)</v>")
_BODY_IS = re.compile(rb'<is><t(?: xml:space="preserve")?>([^<]*)</t></is>')
_ENTITY = re.compile(r"&(?:#(\d+)|#x([0-9A-Fa-f]+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_SHEET_PATTERNS: dict[tuple, tuple] = {}


class _NotPlain(Exception):
    """Something the plain reader does not read itself; the element reader takes over."""


class _NullTarget:
    """An lxml parser target with no callbacks: libxml2 checks well-formedness, Python sees nothing."""

    def close(self):
        return None


def _text(raw: bytes) -> str:
    """Element text as an XML parser gives it: line ends normalised, character references resolved."""
    text = raw.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in text:
        text = _ENTITY.sub(_entity, text)
    return text


def _entity(m) -> str:
    if m.group(1):
        return chr(int(m.group(1)))
    if m.group(2):
        return chr(int(m.group(2), 16))
    return _NAMED[m.group(3)]


def _patterns(columns: set[str]):
    key = tuple(sorted(columns))
    if key not in _SHEET_PATTERNS:
        wanted = b"|".join(re.escape(c.encode()) for c in key) or rb"(?!)"
        # one leading "<" outside the alternation keeps the regex engine's fast literal search
        scan = re.compile(rb'<(?:row r="(\d+)"([^>]*?)(/?)>|(/row>)|c r="(' + wanted + rb')\d+"([^>]*?)(?:/>|>(.*?)</c>))',
                          re.S)
        _SHEET_PATTERNS[key] = (scan, re.compile(rb'<c r="(?:' + wanted + rb')\d+"'))
    return _SHEET_PATTERNS[key]


class _PlainReader:
    def __init__(self, stream: SheetStream, data: bytes, columns, min_row: int, every_column_until: int):
        self.stream, self.data, self.columns = stream, data, columns
        self.min_row, self.until = min_row, every_column_until
        self.attrs: dict[bytes, tuple] = {}
        self.row_attrs: set[bytes] = set()

    def read(self):
        """(rows, merged ranges), or None when the element reader must read this sheet."""
        try:
            self._check_plain()
            etree.fromstring(self.data, etree.XMLParser(target=_NullTarget(), huge_tree=True, resolve_entities=False))
            return self._scan(), self._merged()
        except _NotPlain:
            return None

    def _check_plain(self) -> None:
        data = self.data
        head = _HEAD.match(data)
        if head is None:
            raise _NotPlain("root")
        if head.group(1):
            enc = _ENCODING.search(head.group(1))
            if enc is not None and enc.group(1).lower() not in (b"utf-8", b"utf8"):
                raise _NotPlain("encoding")
        rest = head.end()
        if data.find(b"<?", rest) >= 0 or data.find(b"<!", rest) >= 0:
            raise _NotPlain("comment, CDATA, DOCTYPE or processing instruction")
        if (len(_DEFAULT_NS.findall(data)) != 1 or _ROOT_NS.match(data, head.end() - len(b"<worksheet") - 1) is None
                or data.count(MAIN.encode()) != 1):
            raise _NotPlain("namespaces")
        if _ODD_ROW.search(data) or _ODD_CELL.search(data) or b'<row r="0' in data:
            raise _NotPlain("a row or cell not starting with its reference, or a row number with a leading zero")

    def _scan(self) -> dict[int, dict[str, RawCell]]:
        scan, prefix = _patterns(self.columns)
        found = scan.findall(self.data)
        result: dict[int, dict[str, RawCell]] = {}
        row, cells, open_, rows_seen, ends_seen, cells_seen = 0, None, False, 0, 0, 0
        min_row, decode, row_attrs = self.min_row, self._decode, self.row_attrs
        decoded: dict[tuple, RawCell] = {}  # the same attributes and body give the same cell
        letters = {c.encode(): c for c in self.columns}
        for rnum, attrs, closed, end, col, cell_attrs, body in found:
            if rnum:
                if cells:
                    result[row] = cells
                if attrs not in row_attrs:
                    if _ATTRS.fullmatch(attrs) is None:
                        raise _NotPlain("row attributes")
                    row_attrs.add(attrs)
                rows_seen += 1
                row, cells, open_ = int(rnum), {}, not closed
                if row < min_row:
                    cells = None
                continue
            if end:
                if cells:
                    result[row] = cells
                ends_seen += 1
                cells, open_ = None, False
                continue
            cells_seen += 1
            if open_ and cells is not None:
                key = (cell_attrs, body)
                cell = decoded.get(key)
                if cell is None:
                    cell = decoded[key] = decode(cell_attrs, body)
                cells[letters[col]] = cell
        if cells:
            result[row] = cells
        data = self.data
        if (rows_seen != data.count(b'<row r="') or ends_seen != data.count(b"</row")
                or cells_seen != len(prefix.findall(data))):
            raise _NotPlain("a row or cell the scan did not match")
        if self.until >= min_row:
            self._headers(result)
        return result

    def _headers(self, result) -> None:
        """Rows up to ``every_column_until`` again, with every column."""
        data, seen = self.data, set()
        numbers = b"|".join(str(n).encode() for n in range(1, self.until + 1))
        for m in re.finditer(rb'<row r="(?:' + numbers + rb')"', data):
            r = int(m.group(0)[8:-1])
            if r in seen:
                raise _NotPlain("a header row twice")
            seen.add(r)
            full = _ROW_AT.match(data, m.start())
            if full is None:
                raise _NotPlain("header row")
            body = full.group(3) or b""
            found = _ANY_CELL.findall(body)
            if len(found) != body.count(b'<c r="') or b"<row" in body:
                raise _NotPlain("header cells")
            result.pop(r, None)
            if r >= self.min_row:
                cells = {col.decode(): self._decode(attrs, inner) for col, attrs, inner in found}
                if cells:
                    result[r] = cells

    def _decode(self, attrs: bytes, body: bytes) -> RawCell:
        a = self.attrs.get(attrs)
        if a is None:
            if _ATTRS.fullmatch(attrs) is None:
                raise _NotPlain("cell attributes")
            named = {k.decode(): v.decode() for k, v in _ATTR.findall(attrs)}
            t = named.get("t", "n")
            s = named.get("s", 0)
            style_id = int(s or 0)
            fmt = self.stream._number_format(style_id) if style_id else "General"
            plain_number = t == "n" and style_id not in self.stream.wb._date_formats
            a = self.attrs[attrs] = (t, s, fmt, plain_number, RawCell(None, "n", fmt))
        t, s, fmt, plain_number, empty = a
        if not body:
            return empty if t != "inlineStr" else RawCell(None, "s", fmt)
        m = _BODY_V.fullmatch(body)
        if m is not None:
            v = m.group(1)
            if plain_number and v.isascii() and b"&" not in v and b"\r" not in v:
                number = float(v)  # float() reads ASCII bytes as it reads str
                if number.is_integer() and b"." not in v and b"E" not in v and b"e" not in v:
                    return RawCell(int(number), "n", fmt)
                return RawCell(number, "n", fmt)
            return self.stream.cell(t, s, None, None if t != "inlineStr" else "", _text(v))
        m = _BODY_IS.fullmatch(body)
        if m is not None:
            return self.stream.cell(t, s, None, _text(m.group(1)) if t == "inlineStr" else None, None)
        raise _NotPlain("a cell with a formula, rich text or another body")

    def _merged(self) -> list[str]:
        refs = _MERGE_CELL.findall(self.data)
        if len(refs) != len(_MERGE_START.findall(self.data)):
            raise _NotPlain("mergeCell")
        return [r.decode() for r in refs]
