"""Reading and writing tables as CSV and XLSX files, the way French spreadsheets expect.

CSV out: UTF-8 with a byte order mark and ";" between cells (what Excel in French opens
correctly, accents included). CSV in: UTF-8 (with or without BOM) or Windows-1252 (what
Excel writes for "CSV (séparateur : point-virgule)"), separator guessed among ; , tab.
Cells that a spreadsheet would run as a formula (=, +, -, @ followed by text) are written
with a leading apostrophe (CSV injection); the import reads that apostrophe back."""

import csv
import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A 5 MB XLSX can hold a "zip bomb": refuse archives that unpack to more than this.
MAX_XLSX_UNPACKED_BYTES = 80 * 1024 * 1024
CSV_SEPARATOR = ";"
XLSX_MAGIC = b"PK\x03\x04"
OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
# A phone number such as "+33 6 12 34 56 78" is data, not a formula.
PHONE_LIKE = re.compile(r"^[+\-]?[0-9 .()/-]+$")


class TableError(ValueError):
    """The file cannot be read as a table; the message is French and shown as is."""


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet line number, cells)


def file_kind(name: str) -> str | None:
    lowered = name.lower()
    if lowered.endswith(".csv"):
        return "csv"
    if lowered.endswith(".xlsx"):
        return "xlsx"
    return None


def read_table(*, name: str, content: bytes) -> Table:
    """The header and data rows of a CSV or XLSX file; TableError for anything else."""
    kind = file_kind(name)
    if name.lower().endswith(".xls") or content.startswith(OLD_EXCEL_MAGIC):
        raise TableError("Les fichiers .xls (Excel 97-2003) ne sont pas pris en charge : "
                         "enregistrez le fichier au format .xlsx ou CSV.")
    if kind is None:
        raise TableError("Format non pris en charge : déposez un fichier CSV (.csv) ou "
                         "Excel (.xlsx).")
    if not content.strip():
        raise TableError("Le fichier est vide.")
    if len(content) > MAX_UPLOAD_BYTES:
        raise TableError("Le fichier dépasse 5 Mo : découpez-le en plusieurs fichiers.")
    lines = _read_xlsx(content) if kind == "xlsx" else _read_csv(content)
    lines = [(n, cells) for n, cells in lines]
    if not lines or not any(c.strip() for c in lines[0][1]):
        raise TableError("Le fichier est vide : la première ligne doit contenir les noms "
                         "des colonnes.")
    header = lines[0][1]
    return Table(header=header, rows=lines[1:])


def _read_csv(content: bytes) -> list[tuple[int, list[str]]]:
    if content.startswith(XLSX_MAGIC) or b"\x00" in content[:4096]:
        raise TableError("Ce fichier n'est pas un CSV lisible : déposez un fichier CSV (.csv) "
                         "ou Excel (.xlsx).")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first = text.split("\n", 1)[0]
    separator = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        return [(n, row) for n, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise TableError(f"CSV illisible : {exc}.") from exc


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(content: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook

    if not content.startswith(XLSX_MAGIC):
        raise TableError("Ce fichier n'est pas un classeur Excel (.xlsx) valide.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED_BYTES:
                raise TableError("Le classeur est trop volumineux une fois décompressé.")
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except TableError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError("Ce fichier n'est pas un classeur Excel (.xlsx) valide.") from exc
    try:
        sheet = workbook.worksheets[0]
        return [
            (n, [_cell_text(v) for v in row])
            for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        ]
    finally:
        workbook.close()


def neutralise(value: str) -> str:
    """A text cell a spreadsheet will not run as a formula."""
    if value and value[0] in "=@\t\r":
        return "'" + value
    if value and value[0] in "+-" and not PHONE_LIKE.match(value):
        return "'" + value
    return value


def _csv_cell(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, bool):
        return "oui" if value else "non"
    return neutralise("" if value is None else str(value))


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 500
               ) -> Iterator[bytes]:
    """The CSV file in pieces (for a streaming response): BOM and header first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_SEPARATOR, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in header])
    yield "\ufeff".encode() + buffer.getvalue().encode()
    buffer.seek(0)
    buffer.truncate()
    count = 0
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
        count += 1
        if count % batch == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


def xlsx_write(target: IO[bytes], *, title: str, header: Sequence[str],
               rows: Iterable[Sequence[Any]], widths: Sequence[int] = ()) -> None:
    """A one-sheet workbook written row by row (openpyxl's write-only mode keeps memory
    flat whatever the number of rows). Dates are real dates shown as JJ/MM/AAAA."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E8EEF6")
    head = []
    for label in header:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font, cell.fill = bold, fill
        head.append(cell)
    sheet.append(head)
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, datetime.date):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(value, bool):
                cell = WriteOnlyCell(sheet, value="oui" if value else "non")
            else:
                cell = WriteOnlyCell(sheet, value=neutralise("" if value is None else str(value)))
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    workbook.save(target)
