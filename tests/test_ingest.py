"""Intake: sniffing by content, limits, encrypted and damaged files, separators, duplicates."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
import segno
from PIL import Image
from scan_support import bomb_png

from ingest.batch import collect
from ingest.codes import dossier_code_problem, result_code
from ingest.errors import InputError
from ingest.limits import Limits
from ingest.manifest import load_manifest, parse_manifest
from ingest.pages import read_page
from ingest.separator import find_separator, parse_payload
from ingest.sniff import sniff
from sohoa.sample import render_page, separator_page


def _png(path: Path, dpi: int = 200) -> Path:
    Image.fromarray(render_page(["Xin chào"], dpi=dpi)).save(path, "PNG", dpi=(dpi, dpi))
    return path


def test_type_comes_from_the_bytes_not_the_name(tmp_path: Path) -> None:
    assert sniff(_png(tmp_path / "scan.pdf")) == "png"
    (tmp_path / "notes.tif").write_text("hello")
    with pytest.raises(InputError, match="unsupported file type"):
        sniff(tmp_path / "notes.tif")
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        sniff(tmp_path / "empty.png")


def test_encrypted_and_damaged_pdfs_are_failed_with_reasons(tmp_path: Path) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(tmp_path / "locked.pdf", encryption=pikepdf.Encryption(user="secret", owner="secret"))
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7\n1 0 obj garbage")
    _png(tmp_path / "good.png")
    intake = collect([str(tmp_path)], Limits())
    reasons = {Path(p.source).name: p.reason for p in intake.failed}
    assert "encrypted" in reasons["locked.pdf"] and "damaged" in reasons["broken.pdf"]
    assert [Path(f.source).name for f in intake.files] == ["good.png"]


def test_limits_reject_with_numbers(tmp_path: Path) -> None:
    frames = [Image.new("L", (50, 50), 255) for _ in range(3)]
    frames[0].save(tmp_path / "three.tif", save_all=True, append_images=frames[1:])
    intake = collect([str(tmp_path / "three.tif")], Limits(max_pages=2))
    assert intake.failed[0].reason == "too many pages: 3, the limit is 2"
    with pytest.raises(InputError, match="too large"):
        read_page(_png(tmp_path / "big.png"), "png", 1, Limits(max_page_pixels=1000))


def test_sources_keep_the_given_folder_path(tmp_path: Path) -> None:
    (tmp_path / "box" / "sub").mkdir(parents=True)
    _png(tmp_path / "box" / "sub" / "a.png")
    (tmp_path / "box" / ".DS_Store").write_bytes(b"junk")
    intake = collect([f"{tmp_path}/box"], Limits())
    assert [f.source for f in intake.files] == [f"{tmp_path}/box/sub/a.png"] and not intake.failed


def test_pdf_full_page_image_is_taken_as_it_is(tmp_path: Path) -> None:
    image = Image.fromarray(render_page(["Trang một"], dpi=150))
    buf = io.BytesIO()
    image.save(buf, "PDF", resolution=150)
    (tmp_path / "copier.pdf").write_bytes(buf.getvalue())
    page = read_page(tmp_path / "copier.pdf", "pdf", 1, Limits())
    assert page.image.size == image.size and page.dpi == 150


def test_separator_payloads() -> None:
    sep = parse_payload("SOHOA-SEP;pages=3;dossier=000.00.12.H40-240504-0001")
    assert sep.pages == 3 and sep.dossier == "000.00.12.H40-240504-0001"
    assert parse_payload("SOHOA-SEP|scan_0001.tif|001").pages is None
    assert parse_payload("https://dichvucong.gov.vn") is None


def test_separator_sheet_is_found_and_text_page_is_not() -> None:
    gray = np.asarray(Image.fromarray(separator_page("SOHOA-SEP;pages=2")).convert("L"))
    assert find_separator(gray).pages == 2
    assert find_separator(np.asarray(Image.fromarray(render_page(["Không phải tờ phân cách"])).convert("L"))) is None


def _code_on_a4(payload: str, code_mm: float, dpi: int, noise: float = 0.0, blur: float = 0.0) -> np.ndarray:
    """An A4 page (8-bit grey) holding one QR code ``code_mm`` wide, greyed, blurred and noisy like a poor scan."""
    page = np.full((round(297 / 25.4 * dpi), round(210 / 25.4 * dpi)), 255, np.uint8)
    modules = np.array(list(segno.make(payload, error="m", micro=False).matrix_iter(border=4)), dtype=bool)
    side = round(code_mm / 25.4 * dpi)
    code = cv2.resize(np.where(modules, 0, 255).astype(np.uint8), (side, side), interpolation=cv2.INTER_NEAREST)
    top, left = page.shape[0] // 4, (page.shape[1] - side) // 2
    page[top: top + side, left: left + side] = code
    scan = page.astype(np.float32)
    if blur:
        scan = cv2.GaussianBlur(scan, (0, 0), blur)
    scan = scan * 0.8 + 30 + np.random.default_rng(1).normal(0, noise, scan.shape)
    return np.clip(scan, 0, 255).astype(np.uint8)


def test_a_small_noisy_separator_code_is_found() -> None:
    # 3 cm and 2 cm codes on noisy, blurred 300 dpi scans (OpenCV's classic detector read the 2 cm one at none of
    # the scales it was tried at)
    payload = "SOHOA-SEP;pages=3;dossier=000.00.12.H40-240504-0001"
    assert find_separator(_code_on_a4(payload, 30, 300, noise=25, blur=1.5), 300).pages == 3
    assert find_separator(_code_on_a4(payload, 20, 300, noise=12, blur=1.0), 300).pages == 3


def test_a_coarse_scan_is_searched_at_its_own_resolution() -> None:
    # at 100 dpi the finer search resolutions are beyond the scan: it is read as it is
    assert find_separator(_code_on_a4("SOHOA-SEP;pages=1", 40, 100), 100).pages == 1
    assert find_separator(np.asarray(Image.fromarray(render_page(["Không phải tờ phân cách"], dpi=100)).convert("L")),
                          100) is None


def test_a_detector_failure_is_no_separator() -> None:
    # OpenCV's QR detector asserts inside on some scans (seen: convexHull on a noisy TIFF page); an image it
    # refuses the same way must mean "no separator here", not a failed page
    assert find_separator(np.zeros((40, 40), np.float64)) is None


def test_dossier_codes_in_the_one_stop_format(tmp_path: Path) -> None:
    assert dossier_code_problem("000.00.12.H40-240504-0001") is None
    assert "not in the one-stop format" in dossier_code_problem("000.00.12.H40-240504-01")
    assert "not a date" in dossier_code_problem("000.00.12.H40-241304-0001")
    assert result_code("000.00.12.H40-240504-0001", 2) == "000.00.12.H40-240504-0001-KQ2"
    bad = tmp_path / "batch.json"
    bad.write_text('{"kind": "result", "dossier_code": "HS-2024-1"}', encoding="utf-8")
    with pytest.raises(InputError, match="dossier_code.*one-stop format"):
        load_manifest(bad)


def test_a_decompression_bomb_is_refused_from_its_header_with_little_memory(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(bomb_png())
    assert bomb.stat().st_size < 2_000_000
    probe = ("import resource, sys; from pathlib import Path; from ingest.pages import page_count, read_page; "
             "from ingest.limits import Limits; from ingest.errors import InputError\n"
             "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
             "for check in (lambda: page_count(Path(sys.argv[1]), 'png', Limits()),"
             " lambda: read_page(Path(sys.argv[1]), 'png', 1, Limits())):\n"
             "    try:\n        check()\n    except InputError as exc:\n        print(exc)\n"
             "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)")
    done = subprocess.run([sys.executable, "-c", probe, str(bomb)], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).parent.parent)
    *messages, grown_mb = done.stdout.split("\n")[:-1]
    assert messages == ["page 1 is too large: 1,600,000,000 pixels, the limit is 120,000,000"] * 2
    assert int(grown_mb) < 300
    intake = collect([str(bomb)], Limits())
    assert intake.failed[0].reason == "page 1 is too large: 1,600,000,000 pixels, the limit is 120,000,000"


@pytest.mark.parametrize("text, problem", [
    ('{"book": {"year": 99999999}}', "book.year: Value error, a register book's year is 1800 to"),
    ('{"book": {"year": 1700}}', "book.year: Input should be greater than or equal to 1800"),
    ('{"book": {"volume": "../.."}}', "book.volume: Value error, a volume is 1 to 32 letters"),
    ('{"book": {"volume": "0..2"}}', "book.volume: Value error, a volume is 1 to 32 letters"),
    ('{"book": {"volume": "02/2017"}}', "book.volume: Value error, a volume is 1 to 32 letters"),
    ('{"operator": "' + "x" * 300 + '"}', "operator: String should have at most 128 characters"),
    ('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", "too long: 200,007 bytes"),
    ('{"x": ' + "[" * 30_000 + "]" * 30_000 + "}", "nests too deeply"),
    ('{"x": ' + "[" * 20 + "]" * 20 + "}", "nests too deeply"),
    ('{"x": "' + "y" * 70_000 + '"}', "too long: 70,009 bytes"),
])
def test_manifests_out_of_bounds_are_refused_with_the_reason(text: str, problem: str) -> None:
    with pytest.raises(InputError, match=re.escape(problem)):
        parse_manifest(text)


def test_a_manifest_within_bounds_keeps_its_own_keys() -> None:
    manifest = parse_manifest('{"kind": "registry_book", "book": {"type": "birth", "year": 2017, "volume": "02"},'
                              ' "scanner_model": {"name": "fi-7160"}}')
    assert manifest.book.volume == "02" and manifest.model_dump(exclude_none=True)["scanner_model"] == {
        "name": "fi-7160"}
