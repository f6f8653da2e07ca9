"""Uploads are bounded: an oversized file, a row bomb, a zip bomb and a 3-million-row XLSX are each refused
within seconds and in bounded memory, with a message that says which limit and how to get under it."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from legislators.imports.read import read_table
from legislators.imports.rows import ImportFileError
from legislators.models import Constituency, ImportBatch

pytestmark = pytest.mark.django_db

HEADER = b"state_code,number,name,district,division\n"

SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/></Relationships>'
    ),
}


def xlsx_with_rows(rows, *, padding=b""):
    """A real XLSX (its sheet written in pieces, never whole in memory) with ``rows`` alike rows."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(SHEET_HEAD)
            sheet.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>number</t></is></c></row>')
            for start in range(2, rows + 2, 10_000):
                sheet.write(b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * min(10_000, rows + 2 - start))
            sheet.write(padding)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def refused_quickly(content, filename):
    """read_table's refusal, the seconds it took and the peak memory it used."""
    tracemalloc.start()
    started = time.monotonic()
    with pytest.raises(ImportFileError) as refusal:
        read_table(content, filename)
    seconds = time.monotonic() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return str(refusal.value), seconds, peak


def test_an_oversized_file_is_refused_before_it_is_read(client, editor, tmp_path):
    content = HEADER + b"MP,1,Sheopur,Sheopur,Gwalior\n" * 400_000  # 11.6 MB, over the 10 MB default
    message, seconds, _peak = refused_quickly(content, "big.csv")
    assert "the largest accepted is 10.0 MB" in message and seconds < 1

    client.force_login(editor)
    page = client.post(
        reverse("admin:legislators_importbatch_upload"),
        {"kind": "constituencies", "file": SimpleUploadedFile("big.csv", content)},
    ).content.decode()
    assert "the largest accepted is 10.0 MB. Split it into smaller files." in page
    path = tmp_path / "big.csv"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="the largest accepted is 10.0 MB"):
        call_command("import_data", "constituencies", str(path))
    assert not ImportBatch.objects.exists() and not Constituency.objects.exists()


def test_a_row_bomb_is_refused_at_the_row_limit(settings):
    settings.IMPORT_MAX_ROWS = 50_000
    content = HEADER + b"\n" * 60_000 + b"MP,1,Sheopur,Sheopur,Gwalior\n"  # blank rows count too
    message, seconds, _peak = refused_quickly(content, "rows.csv")
    assert message == "The file has more than 50000 rows: split it into files of at most 50000 rows."
    assert seconds < 2


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    content = xlsx_with_rows(1, padding=b" " * (120 * 1024 * 1024))  # 120 MB of spaces in ~120 KB
    assert len(content) < 1024 * 1024
    message, seconds, peak = refused_quickly(content, "bomb.xlsx")
    assert message.startswith("The spreadsheet unpacks to 120.0") and "the largest accepted is 100.0 MB" in message
    assert seconds < 2 and peak < 20 * 1024 * 1024


def test_a_three_million_row_xlsx_is_refused_within_seconds_and_bounded_memory():
    content = xlsx_with_rows(3_000_000)
    assert len(content) < 3 * 1024 * 1024  # 1.8 MB on disk: the rows compress well
    message, seconds, peak = refused_quickly(content, "rows.xlsx")
    assert "Split it into smaller files" in message or "split it into files of at most" in message
    assert seconds < 5 and peak < 50 * 1024 * 1024


def test_a_slow_read_is_stopped_at_the_time_limit(settings, monkeypatch):
    settings.IMPORT_MAX_SECONDS = 1
    clock = iter(range(0, 10_000, 2))  # each look at the clock: two seconds later
    monkeypatch.setattr("legislators.imports.read.time.monotonic", lambda: next(clock))
    content = HEADER + b"MP,1,Sheopur,Sheopur,Gwalior\n" * 5_000
    message, _seconds, _peak = refused_quickly(content, "slow.csv")
    assert message == "Reading the file took more than 1 seconds: split it into smaller files."


def test_a_preview_shows_the_plan_made_at_upload_without_reading_the_file_again(client, editor, monkeypatch):
    from django.core.cache import cache

    from legislators.imports import apply

    cache.clear()
    client.force_login(editor)
    content = HEADER + b"ZZ,1,Seat 1,D1,V1\nZZ,2,Seat 2,D1,V1\n"
    reads = []
    real_read = apply.read_table
    monkeypatch.setattr(apply, "read_table", lambda *args: reads.append(args[1]) or real_read(*args))

    upload = client.post(
        reverse("admin:legislators_importbatch_upload"),
        {"kind": "constituencies", "file": SimpleUploadedFile("seats.csv", content)},
    )
    for _ in range(3):
        assert "Seat 2" in client.get(upload.url).content.decode()

    assert reads == ["seats.csv"]  # read once, at upload
    client.post(upload.url, {"apply": "1"})
    assert reads == ["seats.csv", "seats.csv"] and Constituency.objects.count() == 2  # apply checks it again
