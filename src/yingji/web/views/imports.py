"""Shared bulk-import page and import templates (CSV/XLSX) for regions and organisations."""

import csv
import io

from django import forms
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from yingji.core.errors import YingjiError
from yingji.core.importing import ImportFileError

from ..helpers import pick

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.csv or .xlsx)"))
    valid_only = forms.BooleanField(
        label=_("Import only the valid rows"), required=False,
        help_text=_("Without this, nothing is imported when any row has an error."),
    )


def import_page(request, *, importer, title, columns, required, template_url, back_url, field_labels):
    """GET: the upload form; POST: run ``importer`` and show the report (per-row errors in both languages)."""
    report = None
    file_error = None
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            limit = settings.YINGJI_MAX_UPLOAD_BYTES
            if upload.size > limit:  # refuse before reading a huge file into memory
                raise ImportFileError(
                    f"文件过大（{upload.size // 1024} KB），上限为 {limit // 1024} KB",
                    f"The file is too large ({upload.size // 1024} KB); the limit is {limit // 1024} KB",
                )
            report = importer(request.user, upload.name, upload.read(),
                              valid_only=form.cleaned_data["valid_only"])
        except YingjiError as exc:
            file_error = {"message": exc.message, "message_en": exc.message_en, "text": pick(exc.message,
                                                                                            exc.message_en)}
    errors = []
    if report is not None:
        errors = [
            {"row": e.row, "field": e.field, "label": field_labels.get(e.field, e.field),
             "message": e.message, "message_en": e.message_en}
            for e in report.errors
        ]
    context = {
        "title": title, "form": form, "report": report, "errors": errors, "file_error": file_error,
        "columns": [(name, aliases[0], name in required) for name, aliases in columns.items()],
        "template_url": template_url, "back_url": back_url,
        "max_kb": settings.YINGJI_MAX_UPLOAD_BYTES // 1024,
    }
    status = 400 if file_error else (422 if form.is_bound and form.errors else 200)
    return render(request, "web/import.html", context, status=status)


def template_response(fmt: str, filename: str, header: list[str], rows: list[list]):
    """An import template: Chinese headers and example rows, as CSV (UTF-8 with BOM, for Excel) or XLSX."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(xlsx_bytes("模板", header, rows), content_type=XLSX_TYPE)
    else:
        raise Http404()
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def xlsx_bytes(sheet_title: str, header: list[str], rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, title in enumerate(header, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(title) * 2 + 2)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
