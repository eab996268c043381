"""Born-digital PDFs (portal e-forms, office exports): a page whose own text layer can be believed is read from it and
kept as it is; a page whose layer is guesswork (no Unicode map, hidden OCR text, another language) or a scan is read by
OCR. Real PDFs made with fpdf2 and a real TrueType font, real pdfium, Ghostscript, Tesseract, pdftotext and pdfsig."""
from __future__ import annotations

import io
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from conftest import Run, batch_config
from fpdf import FPDF
from fpdf.enums import TextMode
from PIL import Image

from ingest.limits import Limits
from ingest.pages import read_page
from ingest.pdftext import PdfChar, PdfText
from ocr.syllables import is_syllable
from ocr.textlayer import distrust, layer_words
from sohoa.sample import render_page
from workers.embedded import process_batch

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FORM = ["TỜ KHAI ĐĂNG KÝ KHAI SINH", "Kính gửi: Ủy ban nhân dân xã An Hòa",
        "Họ, chữ đệm, tên người yêu cầu: Nguyễn Văn Bình", "Số định danh cá nhân: 001090012345",
        "Nơi cư trú: thôn Đông, xã An Hòa, huyện Phú Vang", "Quan hệ với người được khai sinh: Cha"]
LETTER = ["CÔNG VĂN", "Về việc tiếp nhận hồ sơ trực tuyến", "Kính gửi: Phòng Tư pháp huyện Phú Vang",
          "Ủy ban nhân dân xã An Hòa đề nghị quý cơ quan xem xét hồ sơ của ông Trần Văn Nam."]


def _document(*, hidden: bool = False) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", FONT)
    pdf.set_font("DejaVu", "", 12)
    if hidden:
        pdf.text_mode = TextMode.INVISIBLE
    pdf.add_page()
    return pdf


def _write_lines(pdf: FPDF, lines: list[str]) -> None:
    for line in lines:
        pdf.cell(0, 9, line, new_x="LMARGIN", new_y="NEXT")


def e_form(path: Path, lines: list[str] = FORM, *, rotate: int = 0) -> Path:
    pdf = _document()
    _write_lines(pdf, lines)
    pdf.output(str(path))
    if rotate:  # fpdf2 writes no /Rotate
        with pikepdf.open(path, allow_overwriting_input=True) as doc:
            doc.pages[0].Rotate = rotate
            doc.save(path)
    return path


def without_unicode_map(path: Path, lines: list[str] = FORM) -> Path:
    """An e-form with its fonts' ToUnicode maps removed, as some PDF writers leave them: the text is guesswork."""
    e_form(path, lines)
    with pikepdf.open(path, allow_overwriting_input=True) as doc:
        for font in doc.pages[0].Resources.Font.values():
            del font["/ToUnicode"]
        doc.save(path)
    return path


def _scan_png(lines: list[str]) -> bytes:
    out = io.BytesIO()
    Image.fromarray(render_page(lines, dpi=200)).save(out, format="PNG", dpi=(200, 200))
    return out.getvalue()


def mixed(path: Path) -> Path:
    """A typed letter, then the scan of a signed page attached to it."""
    pdf = _document()
    _write_lines(pdf, LETTER)
    pdf.add_page()
    pdf.image(io.BytesIO(_scan_png(FORM)), x=0, y=0, w=pdf.w, h=pdf.h)
    pdf.output(str(path))
    return path


def scan_under_hidden_text(path: Path) -> Path:
    """A scan with an earlier OCR's invisible text over it."""
    pdf = _document(hidden=True)
    pdf.image(io.BytesIO(_scan_png(FORM)), x=0, y=0, w=pdf.w, h=pdf.h)
    pdf.set_xy(10, 10)
    _write_lines(pdf, FORM)
    pdf.output(str(path))
    return path


def _layer(path: Path, number: int = 1) -> PdfText:
    text = read_page(path, "pdf", number, Limits()).text
    assert text is not None
    return text


def _chars(text: str, *, drawn: bool = True, mapped: bool = True) -> list[PdfChar]:
    return [PdfChar(c, None if c.isspace() else (0.0, 0.0, 1.0, 1.0), drawn, mapped) for c in text]


# --- whether a text layer is believed ---------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["Nguyễn", "NGHIÊNG", "Hòa", "Hoà", "quyết", "giữa", "khuya", "ương", "đăng"])
def test_vietnamese_syllables(word: str) -> None:
    assert is_syllable(word)


@pytest.mark.parametrize("word", ["Table", "strength", "xyz", "Hoàá", "Contents", "bcd"])
def test_not_vietnamese_syllables(word: str) -> None:
    assert not is_syllable(word)


def test_an_e_form_layer_is_believed(tmp_path: Path) -> None:
    assert distrust(_layer(e_form(tmp_path / "form.pdf"))) is None


def test_a_layer_without_unicode_map_is_not(tmp_path: Path) -> None:
    assert "no Unicode meaning" in (distrust(_layer(without_unicode_map(tmp_path / "nomap.pdf"))) or "")


def test_a_hidden_ocr_layer_is_not(tmp_path: Path) -> None:
    assert "hidden" in (distrust(_layer(scan_under_hidden_text(tmp_path / "hidden.pdf"))) or "")


def test_text_in_another_language_is_not() -> None:
    layer = PdfText(_chars("What follows is an image embedded as a form of the original letter"), 0.0)
    assert "do not read as Vietnamese" in (distrust(layer) or "")


def test_symbols_are_not_words() -> None:
    assert "symbols" in (distrust(PdfText(_chars('"7+%- #=@ 9!'), 0.0)) or "")


def test_a_large_picture_sends_the_page_to_ocr() -> None:
    layer = PdfText(_chars("Ủy ban nhân dân xã An Hòa đề nghị quý cơ quan xem xét hồ sơ"), 0.6)
    assert "pictures cover 60%" in (distrust(layer) or "")


def test_abbreviations_do_not_count_against_vietnamese() -> None:
    assert distrust(PdfText(_chars("UBND HĐND CCCD TP xã An Hòa cấp cho ông Nguyễn Văn Bình"), 0.0)) is None


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
def test_words_sit_on_their_print_on_a_turned_page(tmp_path: Path, rotate: int) -> None:
    raw = read_page(e_form(tmp_path / "form.pdf", rotate=rotate), "pdf", 1, Limits())
    assert raw.text is not None
    words = {w.text: w for w in layer_words(raw.text, raw.dpi or 300)}
    gray = np.asarray(raw.image.convert("L"))
    for name in ("Nguyễn", "001090012345", "Vang"):
        w = words[name]
        inside = gray[int(w.top): int(w.bottom) + 1, int(w.left): int(w.right) + 1]
        assert inside.size and inside.min() < 100, (name, rotate)  # print under the word's box
        assert (w.right - w.left > w.bottom - w.top) == (rotate in (0, 180)), (name, rotate)


# --- the pipeline -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def born_digital_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("born-digital")
    inputs = root / "in"
    inputs.mkdir()
    e_form(inputs / "e_form.pdf")
    without_unicode_map(inputs / "nomap.pdf", [line.replace("Bình", "Bảo") for line in FORM])
    mixed(inputs / "mixed.pdf")
    config = batch_config(root / "out", root / "data")
    summary = process_batch([str(inputs)], config)
    return Run(inputs, [], root / "out", root / "data", config, summary)


def test_an_e_form_is_read_from_its_text_and_kept_as_it_is(born_digital_run: Run) -> None:
    doc = born_digital_run.by_source("e_form.pdf")
    page = doc["pages"][0]
    assert page["text_source"] == "pdf" and page["confidence"] == 1.0
    assert page["text"].splitlines()[:3] == FORM[:3]  # exactly the author's text, in reading order
    assert doc["fields"]["personal_id"] == "001090012345"
    assert doc["fields"]["applicant_name"] == "Nguyễn Văn Bình"
    pdf = born_digital_run.out / doc["pdf"]
    shown = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Họ, chữ đệm, tên người yêu cầu: Nguyễn Văn Bình" in shown
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert len(images.splitlines()) == 2, images  # the heading only: the page is the author's vectors, no picture
    with pikepdf.open(pdf) as opened:
        meta = opened.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert fonts and all(line.split()[-5:-2] == ["yes", "yes", "yes"] for line in fonts), fonts  # embedded, mapped
    checked = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True, check=False).stdout
    assert "Signature is Valid" in checked


def test_a_layer_without_unicode_map_is_read_by_ocr(born_digital_run: Run) -> None:
    doc = born_digital_run.by_source("nomap.pdf")
    page = doc["pages"][0]
    assert page["text_source"] == "ocr"
    assert "Nguyễn Văn Bảo" in page["text"] and "\x01" not in page["text"]
    assert doc["fields"]["personal_id"] == "001090012345"


def test_a_mixed_file_says_where_each_page_came_from(born_digital_run: Run) -> None:
    pages = [p for d in born_digital_run.documents() if d["source"].split("#")[0].endswith("mixed.pdf")
             for p in d["pages"]]
    assert [p["text_source"] for p in sorted(pages, key=lambda p: p["source_page"])] == ["pdf", "ocr"]
    assert not born_digital_run.summary.failed and not born_digital_run.summary.skipped
