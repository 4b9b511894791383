"""Safe handling of text that users typed and files they upload.

``spreadsheet_safe`` is for every cell planwatch writes into a workbook or CSV: a narrative or
a department name that starts with ``=`` would otherwise run as a formula when a colleague opens
the export (CSV/formula injection).  ``check_upload`` is for every uploaded file: size cap and
an allow-list of formats checked against the file's first bytes, not only its name.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def spreadsheet_safe(value):
    """Text that a spreadsheet shows as text: prefix ``'`` when it could start a formula.

    Numbers, dates, booleans and None pass unchanged, so a negative growth rate written as a
    number stays a number; only strings are neutralised ("-3.2" typed as text gets the quote).
    Full-width ＝＋－＠ are included because some spreadsheet programs normalise them.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_safe_row(values):
    return [spreadsheet_safe(v) for v in values]


@dataclass(frozen=True)
class UploadKind:
    name: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...]  # accepted first bytes; empty = text, checked by decoding


ZIP = (b"PK\x03\x04",)
UPLOAD_KINDS = {
    "xlsx": UploadKind("Excel 工作簿", (".xlsx",), ZIP),
    "docx": UploadKind("Word 文档", (".docx",), ZIP),
    "pdf": UploadKind("PDF", (".pdf",), (b"%PDF-",)),
    "csv": UploadKind("CSV", (".csv",), ()),
    "txt": UploadKind("文本", (".txt",), ()),
    "json": UploadKind("JSON", (".json",), ()),
    "yaml": UploadKind("YAML 计划文件", (".yaml", ".yml"), ()),
}
TEXT_ENCODINGS = ("utf-8-sig", "utf-16", "gb18030")


def check_upload(uploaded, allowed: list[str] | tuple[str, ...], *, max_bytes: int | None = None) -> str:
    """Refuse an upload that is too large or not one of the allowed kinds; return its kind.

    ``uploaded`` is a Django UploadedFile (anything with ``name``, ``size`` and ``read``/``seek``).
    Raises ValidationError with a message for the person uploading.
    """
    limit = max_bytes or getattr(settings, "PLANWATCH_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)
    name = PurePath(uploaded.name or "").name
    if uploaded.size is not None and uploaded.size > limit:
        raise ValidationError(f"文件「{name}」大小 {uploaded.size / 1048576:.1f} MB,超过上限 {limit / 1048576:.0f} MB")
    suffix = PurePath(name).suffix.lower()
    kind = next((k for k in allowed if suffix in UPLOAD_KINDS[k].extensions), None)
    if kind is None:
        names = "、".join(e for k in allowed for e in UPLOAD_KINDS[k].extensions)
        raise ValidationError(f"文件「{name}」的类型不受支持,只接受 {names}")
    spec = UPLOAD_KINDS[kind]
    uploaded.seek(0)
    head = uploaded.read(4096)
    uploaded.seek(0)
    if isinstance(head, str):
        head = head.encode("utf-8")
    if spec.magic:
        if not head.startswith(spec.magic):
            raise ValidationError(f"文件「{name}」的内容不是{spec.name}(扩展名与内容不符)")
    else:
        if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ValidationError(f"文件「{name}」不是文本文件")
        if not any(_decodes(head, enc) for enc in TEXT_ENCODINGS):
            raise ValidationError(f"文件「{name}」无法按 UTF-8、UTF-16 或 GB18030 读取")
    return kind


def _decodes(head: bytes, encoding: str) -> bool:
    try:
        head.decode(encoding)
        return True
    except UnicodeDecodeError:
        # the 4096-byte head may cut a multi-byte character in half
        for cut in (1, 2, 3):
            try:
                head[:-cut].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
        return False
