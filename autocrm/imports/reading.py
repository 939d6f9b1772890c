"""Reading source files: CSV in UTF-8 (with or without BOM) or GBK/GB18030, and XLSX.

Rows are streamed, never loaded whole, so a file of a million rows costs memory for one chunk.
Every failure is an ``UnreadableFile`` whose message says what is wrong with the file.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from autocrm.core.errors import ApplicationError
from autocrm.imports.columns import suggest_mapping

_BLOCK = 1 << 20
_ENCODINGS_TRIED = "UTF-8, UTF-8 with BOM, GBK/GB18030"


class UnreadableFile(ApplicationError):
    default_message = _("The file cannot be read.")


@dataclass
class SourceTable:
    headers: list[str]
    rows: Iterator[list[str]]
    file_format: str
    encoding: str = ""


def file_format_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in {".csv", ".txt"}:
        return "csv"
    if suffix in {".xlsx", ".xlsm"}:
        return "xlsx"
    raise UnreadableFile(
        _("“%(name)s” is not a file the import can read: use CSV or XLSX (Excel).")
        % {"name": Path(name).name}
    )


def detect_encoding(binary: IO[bytes]) -> str:
    """utf-8-sig when the file starts with a BOM, utf-8 when it all decodes as UTF-8, else
    gb18030 (a superset of GBK) when it decodes as that."""
    binary.seek(0)
    start = binary.read(3)
    binary.seek(0)
    if start.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in ("utf-8", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while block := binary.read(_BLOCK):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            binary.seek(0)
            continue
        binary.seek(0)
        return encoding
    raise UnreadableFile(
        _("The file's characters could not be read in any of the encodings tried (%(tried)s).")
        % {"tried": _ENCODINGS_TRIED}
    )


def _csv_rows(binary: IO[bytes]) -> tuple[list[str], Iterator[list[str]], str]:
    encoding = detect_encoding(binary)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    sample = text.read(64 * 1024)
    text.seek(0)
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text, dialect)
    headers = next(reader, None)
    return headers or [], reader, encoding


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        # Excel stores phone numbers typed as numbers as floats: 13812345678.0.
        return str(int(value))
    return str(value)


def _xlsx_rows(binary: IO[bytes]) -> tuple[list[str], Iterator[list[str]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(binary, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise UnreadableFile(_("The file is not a readable XLSX (Excel) workbook.")) from error
    rows = (
        [_cell_text(value) for value in row]
        for row in workbook.worksheets[0].iter_rows(values_only=True)
    )
    headers = next(rows, None)
    return headers or [], rows


@contextmanager
def open_table(path: str | Path, *, name: str | None = None) -> Iterator[SourceTable]:
    """Open the file for reading its header and then its data rows (blank rows skipped)."""
    name = name or str(path)
    file_format = file_format_of(name)
    with open(path, "rb") as binary:
        if not binary.read(1):
            raise UnreadableFile(_("The file is empty."))
        binary.seek(0)
        encoding = ""
        if file_format == "csv":
            headers, rows, encoding = _csv_rows(binary)
        else:
            headers, rows = _xlsx_rows(binary)
        headers = [header.strip() for header in headers]
        if not any(headers):
            raise UnreadableFile(_("The file has no header row."))
        yield SourceTable(
            headers=headers,
            rows=(row for row in rows if any(cell.strip() for cell in row)),
            file_format=file_format,
            encoding=encoding,
        )


def check_recognisable(headers: list[str], mapping: dict[str, str]) -> None:
    """Refuse a file none of whose columns maps to a field the import knows."""
    if not any(field != "key" for header, field in mapping.items() if header in headers):
        raise UnreadableFile(
            _(
                "None of the file's columns (%(headers)s) was recognised: name the columns like "
                "姓名, 手机, 车架号, or map them by hand."
            )
            % {"headers": ", ".join(headers[:10])}
        )


def read_headers(path: str | Path, *, name: str | None = None) -> tuple[list[str], str, str]:
    """The header row, the format and the encoding; errors for unreadable files."""
    with open_table(path, name=name) as table:
        return table.headers, table.file_format, table.encoding


__all__ = ["SourceTable", "UnreadableFile", "open_table", "read_headers", "suggest_mapping"]
