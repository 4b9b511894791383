"""Getting an uploaded or named file into memory safely, and knowing what kind of file it is.

A file is measured before it is read: a 50 MB "workbook" is refused by its size alone, and a
file that only carries an .xlsx name (a renamed .xls, a PDF, a text file) is recognised by its
first bytes, so the person is told what the file really is instead of seeing a parser crash.
"""
from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

# Generous for a collection workbook (50,000 filled rows are about 3 MB) and small enough that a
# stray export or a scanned document is refused before it is unpacked.
MAX_BYTES = 20 * 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls / .doc of Office 97-2003


class SourceError(ValueError):
    """The file cannot be read at all (too big, wrong kind); the message is in Chinese."""


@dataclass
class Source:
    name: str
    data: bytes

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()

    def stream(self) -> io.BytesIO:
        return io.BytesIO(self.data)

    def text(self) -> str:
        """The file as text: UTF-8 (with or without BOM), else GB18030 as Chinese Excel saves CSV."""
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return self.data.decode(encoding)
            except UnicodeDecodeError:
                continue
        raise SourceError("文件编码无法识别(应为 UTF-8 或 GBK/GB18030)")


def read_source(path_or_file, *, name: str | None = None, max_bytes: int = MAX_BYTES) -> Source:
    """Read a path or a file object (e.g. a Django upload) after checking its size."""
    if isinstance(path_or_file, (str, os.PathLike)):
        path = Path(path_or_file)
        if not path.is_file():
            raise SourceError(f"文件不存在:{path}")
        size = path.stat().st_size
        _check_size(size, max_bytes)
        return Source(name or path.name, path.read_bytes())
    f = path_or_file
    size = getattr(f, "size", None)
    if size is None and hasattr(f, "seek") and hasattr(f, "tell"):
        pos = f.tell()
        f.seek(0, os.SEEK_END)
        size = f.tell() - pos
        f.seek(pos)
    if size is not None:
        _check_size(size, max_bytes)
    data = f.read(max_bytes + 1)
    _check_size(len(data), max_bytes)
    if isinstance(data, str):
        data = data.encode("utf-8")
    return Source(name or Path(getattr(f, "name", "") or "upload").name, data)


def _check_size(size: int, max_bytes: int) -> None:
    if size > max_bytes:
        raise SourceError(f"文件过大({size / 1024 / 1024:.1f} MB),上限为 {max_bytes / 1024 / 1024:.0f} MB:"
                          "请确认选择的是填报模板,或分批导入")
    if size == 0:
        raise SourceError("文件是空的")


def sniff(source: Source) -> str:
    """'xlsx', 'json' or 'csv' by content (the extension only breaks ties); SourceError otherwise."""
    head = source.data[:8]
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE_MAGIC):
        raise SourceError("这是旧版 Excel(.xls)或其他 Office 97-2003 文件,请在 Excel 中另存为 .xlsx 后再导入")
    if source.suffix in (".xlsx", ".xlsm"):
        kind = "PDF 文件" if head.startswith(b"%PDF") else "Excel 工作簿"
        raise SourceError(f"文件扩展名是 {source.suffix},但内容不是 Excel 工作簿" +
                          (f"(实为{kind})" if kind == "PDF 文件" else "(可能是改了扩展名的其他文件)"))
    stripped = source.data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if source.suffix == ".json" or stripped.startswith((b"{", b"[")):
        return "json"
    if source.suffix in (".csv", ".txt", ""):
        return "csv"
    raise SourceError(f"不支持的文件类型 {source.suffix}:可导入 .xlsx 填报模板、整洁 CSV 或 DHIS2 dataValueSets JSON")
