"""Tests of the sample-scan generator (sohoa.sample)."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from dataclasses import asdict
from pathlib import Path

import cv2
import numpy as np
import pikepdf
import pytest
from PIL import Image
from textmetrics import cer

from sohoa.sample import SampleFile, blank_page, render_page, rotate, separator_page, skew, write_sample_batch

DPI = 200


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[SampleFile]]:
    out = tmp_path_factory.mktemp("batch")
    return out, write_sample_batch(out, dpi=DPI, truth_path=out / "truth.json")


def _by_name(files: list[SampleFile]) -> dict[str, SampleFile]:
    return {f.name: f for f in files}


def test_batch_writes_promised_files(batch: tuple[Path, list[SampleFile]]) -> None:
    out, files = batch
    names = {p.name for p in out.iterdir()}
    assert names == {f.name for f in files} | {"truth.json"}
    suffixes = sorted(Path(f.name).suffix for f in files)
    assert suffixes == [".jpg", ".pdf", ".png", ".png", ".png", ".png", ".tif"]
    assert json.loads((out / "truth.json").read_text(encoding="utf-8")) == [asdict(f) for f in files]
    pages = [p for f in files for p in f.pages]
    assert [f.corrupt for f in files].count(True) == 1
    assert any(p.rotation == 180 for p in pages)
    assert any(3 <= p.skew_deg <= 5 for p in pages)
    assert sum(p.separator for p in pages) == 1
    assert sum(p.blank for p in pages) == 1
    for page in pages:
        assert page.text == unicodedata.normalize("NFC", page.text)
    birth = next(p.text for p in pages if p.text.startswith("GIẤY KHAI SINH"))
    assert re.search(r"Số định danh cá nhân: \d{12}\n", birth)
    assert re.search(r"\b\d{2}/\d{2}/\d{4}\b", birth)
    decision = next(p.text for p in pages if "QUYẾT ĐỊNH" in p.text)
    assert decision.startswith("ỦY BAN NHÂN DÂN\nXÃ AN HÒA\nSố: 123/QĐ-UBND\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n")


def test_batch_is_deterministic(batch: tuple[Path, list[SampleFile]], tmp_path: Path) -> None:
    out, _ = batch
    write_sample_batch(tmp_path, dpi=DPI, truth_path=tmp_path / "truth.json")
    for path in out.iterdir():
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_page_counts_match_truth(batch: tuple[Path, list[SampleFile]]) -> None:
    out, files = batch
    for f in files:
        if f.corrupt:
            continue
        if f.name.endswith(".pdf"):
            with pikepdf.open(out / f.name) as pdf:
                count = len(pdf.pages)
        else:
            with Image.open(out / f.name) as im:
                count = getattr(im, "n_frames", 1)
        assert count == len(f.pages), f.name
    assert len(_by_name(files)["05_ho_so.tif"].pages) == 4


def test_dpi_is_recorded(batch: tuple[Path, list[SampleFile]]) -> None:
    out, files = batch
    for f in files:
        if f.corrupt:
            continue
        if f.name.endswith(".pdf"):
            with pikepdf.open(out / f.name) as pdf:
                for page in pdf.pages:
                    width_pt = float(page.MediaBox[2]) - float(page.MediaBox[0])
                    (image,) = page.Resources.XObject.values()
                    assert int(image.Width) * 72 / width_pt == pytest.approx(DPI, abs=0.5)
                    assert width_pt == pytest.approx(148 / 25.4 * 72, abs=1)
        else:
            with Image.open(out / f.name) as im:
                assert im.info["dpi"] == pytest.approx((DPI, DPI), abs=0.5), f.name
    modes = set()
    for name in ("01_giay_khai_sinh.png", "02_quyet_dinh.jpg"):
        with Image.open(out / name) as im:
            modes.add(im.mode)
    assert modes == {"L", "RGB"}


def _decode_qr(img: np.ndarray) -> str:
    for scale in (1.0, 0.75, 0.5):
        small = cv2.resize(img, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale != 1.0 else img
        payload, _, _ = cv2.QRCodeDetector().detectAndDecode(small)
        if payload:
            return payload
    return ""


def test_separator_qr_decodes(batch: tuple[Path, list[SampleFile]]) -> None:
    out, files = batch
    truth = _by_name(files)["05_ho_so.tif"]
    index = next(i for i, p in enumerate(truth.pages) if p.separator)
    with Image.open(out / truth.name) as im:
        im.seek(index)
        page = np.asarray(im.convert("L"))
    assert _decode_qr(page) == "SOHOA-SEP;pages=2"
    assert _decode_qr(separator_page(dpi=150)).startswith("SOHOA-SEP")
    with Image.open(out / truth.name) as im:  # the text pages carry no QR code
        assert _decode_qr(np.asarray(im.convert("L"))) == ""


def test_corrupt_file_does_not_open(batch: tuple[Path, list[SampleFile]]) -> None:
    out, files = batch
    (corrupt,) = (f for f in files if f.corrupt)
    with pytest.raises(OSError), Image.open(out / corrupt.name) as im:
        im.load()


def test_blank_rotate_and_skew() -> None:
    blank = blank_page(dpi=100)
    assert blank.shape == (827, 583, 3) and blank.dtype == np.uint8
    assert blank.min() > 200 and blank.std() > 0.5  # paper noise and a ghost, but no ink
    page = render_page(["GIẤY KHAI SINH", "Họ và tên: NGUYỄN VĂN AN"], dpi=100)
    assert page.min() < 50 and page.shape == blank.shape
    assert rotate(page, 1).shape == (583, 827, 3)
    assert np.array_equal(rotate(rotate(page, 1), 3), page)
    assert np.array_equal(rotate(page, 2), page[::-1, ::-1])
    tilted = skew(page, 4.0)
    assert tilted.shape[0] > page.shape[0] and tilted.shape[1] > page.shape[1]
    assert (tilted < 128).sum() == pytest.approx((page < 128).sum(), rel=0.1)  # no ink cut off
    assert tilted[0, 0].tolist() == [255, 255, 255]


def test_tesseract_reads_a_clean_page(batch: tuple[Path, list[SampleFile]]) -> None:
    out, files = batch
    truth = _by_name(files)["01_giay_khai_sinh.png"].pages[0].text
    cmd = ["tesseract", str(out / "01_giay_khai_sinh.png"), "stdout", "-l", "vie", "--dpi", str(DPI), "--psm", "6"]
    ocr = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout
    error = cer(truth, ocr)
    assert error < 0.05, f"CER {error:.3f}\n{ocr}"
