"""The answers table as files: XLSX (openpyxl) and CSV for French spreadsheets
(UTF-8 with a byte order mark, semicolons)."""

import csv
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from tenant_apps.questionnaires.selectors import AnswersTable


def _lines(table: AnswersTable) -> list[list[str]]:
    lines = [table.header]
    for row in table.rows:
        when = timezone.localtime(row["updated_at"]).strftime("%d/%m/%Y %H:%M")
        lines.append([row["household"].name, row["answered_by"], when, *row["cells"]])
    return lines


def _safe_cell(value: str) -> str:
    """Neutralise spreadsheet formulas typed by families ("=HYPERLINK(...)")."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def answers_csv(table: AnswersTable) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for line in _lines(table):
        writer.writerow([_safe_cell(cell) for cell in line])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def answers_xlsx(table: AnswersTable, *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Réponses"
    for line in _lines(table):
        sheet.append([_safe_cell(cell) for cell in line])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 12), 60)
    summary = workbook.create_sheet("Synthèse")
    summary.append(["Questionnaire", title])
    summary.append(["Foyers concernés", table.targeted])
    summary.append(["Foyers ayant répondu", table.answered])
    summary.append(["Taux de réponse", f"{table.rate_percent} %"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
