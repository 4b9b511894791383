"""Rewrite a workbook openpyxl saved into the form Excel saves it in.

openpyxl writes every text cell as an inline string (``t="inlineStr"``); Excel (and WPS) keep
text in a shared-string table (``xl/sharedStrings.xml``, cells ``t="s"`` holding an index),
start each part with an XML declaration, declare the x14ac/mc namespaces on the worksheet and
give rows ``spans`` and ``x14ac:dyDescent`` attributes.  Tests import workbooks in this form
too, so the reader is checked against what offices really send back.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
_INLINE = re.compile(r'<c ([^>]*?) ?t="inlineStr"([^>]*)><is><t( xml:space="preserve")?>(.*?)</t></is></c>', re.S)
_EMPTY_INLINE = re.compile(r'<c ([^>]*?) ?t="inlineStr"([^>]*)><is><t( xml:space="preserve")?/></is></c>')
_ROOT = re.compile(r"<worksheet xmlns=\"" + re.escape(MAIN) + r"\"")
_ROW = re.compile(r'<row r="(\d+)"')


def excel_like(src: Path, dst: Path | None = None) -> Path:
    """Shared strings instead of inline strings, Excel's declaration, namespaces and row attributes."""
    dst = dst or src
    strings: list[str] = []
    index: dict[tuple, int] = {}

    def share(m) -> str:
        attrs = (m.group(1) + m.group(2)).strip()
        key = (m.group(3) or "", m.group(4) if m.lastindex >= 4 else "")
        if key not in index:
            index[key] = len(strings)
            strings.append(f"<si><t{key[0]}>{key[1]}</t></si>")
        return f'<c {attrs} t="s"><v>{index[key]}</v></c>'

    with zipfile.ZipFile(src) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    for name, raw in list(parts.items()):
        if not (name.startswith("xl/worksheets/sheet") and name.endswith(".xml")):
            continue
        xml = raw.decode("utf-8")
        xml = _INLINE.sub(share, xml)
        xml = _EMPTY_INLINE.sub(lambda m: f'<c {(m.group(1) + m.group(2)).strip()}/>', xml)
        xml = _ROOT.sub(
            f'<worksheet xmlns="{MAIN}" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
            'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac" '
            'xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac"', xml, count=1)
        xml = _ROW.sub(lambda m: f'<row r="{m.group(1)}" spans="1:12" x14ac:dyDescent="0.25"', xml)
        parts[name] = (DECL + xml).encode("utf-8")
    parts["xl/sharedStrings.xml"] = (
        DECL + f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">' + "".join(strings) + "</sst>"
    ).encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    if "sharedStrings" not in types:
        types = types.replace("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType='
                              '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
        parts["[Content_Types].xml"] = types.encode("utf-8")
    rels = parts["xl/_rels/workbook.xml.rels"].decode("utf-8")
    if "sharedStrings" not in rels:
        rels = rels.replace("</Relationships>", '<Relationship Type="http://schemas.openxmlformats.org/officeDocument/'
                            '2006/relationships/sharedStrings" Target="sharedStrings.xml" Id="rIdSharedStrings"/>'
                            "</Relationships>")
        parts["xl/_rels/workbook.xml.rels"] = rels.encode("utf-8")
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, raw in parts.items():
            zout.writestr(name, raw)
    return dst
