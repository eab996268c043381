"""The OCR engine with real Tesseract: it reads Vietnamese, says at start what it lacks, stops a reading at the time
limit and survives a crash; a page it gives up on fails its file alone."""
from __future__ import annotations

import os
import re
import signal
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import psutil
import pytest
from conftest import batch_config
from PIL import Image

from ocr import engine
from ocr.engine import EngineFailed, EngineMissing, LanguageMissing, OcrConfig, PageTimeout
from ocr.recognize import recognize
from sohoa.exits import ConfigError
from sohoa.sample import render_page
from sohoa.settings import Settings
from sohoa.startup import check_ocr_languages
from workers.embedded import process_batch

LINE = "Ủy ban nhân dân xã An Hòa"
DENSE = [f"Dòng {i}: Nguyễn Văn An, sinh ngày 15/03/1990 tại xã An Hòa, huyện Phú Vang" for i in range(40)]


def _gray(image: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(image).convert("L"))


@pytest.fixture(scope="module")
def line() -> np.ndarray:
    return _gray(render_page([LINE], size_mm=(148, 30)))  # 200 dpi


@pytest.fixture(scope="module")
def dense() -> np.ndarray:
    return _gray(render_page(DENSE, dpi=300, size_mm=(210, 297), font_pt=10))  # a second or more to read


def test_a_line_of_vietnamese_is_read_with_boxes_and_confidences(line: np.ndarray) -> None:
    words = recognize(line, 200, OcrConfig())
    assert " ".join(w.text for w in words) == LINE
    assert all(w.line == (1, 1, 1) and w.conf > 0.8 for w in words)
    assert all(a.right < b.left for a, b in zip(words, words[1:], strict=False))  # left to right, not overlapping
    assert 0 < words[0].left < words[-1].right < line.shape[1] and words[0].height > 20


def test_the_engine_says_what_reads() -> None:
    assert engine.check("vie").startswith("Tesseract 5.") and "vie" in engine.languages()


def test_a_missing_language_is_told_at_start_with_what_there_is() -> None:
    with pytest.raises(LanguageMissing) as caught:
        engine.check("vie+xyz")
    message = str(caught.value)
    assert message.startswith("Tesseract has no xyz (it has ") and "vie" in message
    assert message.endswith("Debian: apt-get install tesseract-ocr-<lang>)")


def test_missing_language_data_is_told_at_start(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    english = Path(engine.tessdata()) / "eng.traineddata"
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    with pytest.raises(EngineMissing, match=re.escape(f"no *.traineddata in TESSDATA_PREFIX ({tmp_path})")):
        engine.check("vie")
    (tmp_path / "eng.traineddata").symlink_to(english)
    with pytest.raises(LanguageMissing, match="^Tesseract has no vie \\(it has eng in "):
        engine.check("vie")


def test_startup_turns_what_the_engine_lacks_into_a_configuration_error(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOHOA_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOHOA_OCR_LANG", "vie+xyz")
    with pytest.raises(ConfigError, match="^SOHOA_OCR_LANG is 'vie\\+xyz', but Tesseract has no xyz \\(it has "):
        check_ocr_languages(Settings.from_env())
    monkeypatch.setenv("TESSDATA_PREFIX", str(tmp_path))
    with pytest.raises(ConfigError, match="^Tesseract has no language data"):
        check_ocr_languages(Settings.from_env())


def test_a_reading_past_the_time_limit_is_stopped_and_the_next_one_works(line: np.ndarray,
                                                                          dense: np.ndarray) -> None:
    with pytest.raises(PageTimeout, match="^Tesseract gave up after 0.01 s$"):
        recognize(dense, 300, OcrConfig(timeout=0.01))
    assert " ".join(w.text for w in recognize(line, 200, OcrConfig())) == LINE


def test_a_crash_fails_the_reading_not_the_process(line: np.ndarray, dense: np.ndarray) -> None:
    recognize(line, 200, OcrConfig())  # the helper is running
    helper = next(p for p in psutil.Process().children() if str(engine.SERVER) in p.cmdline())
    threading.Timer(0.3, os.kill, (helper.pid, signal.SIGSEGV)).start()
    with pytest.raises(EngineFailed, match="^Tesseract stopped on this image \\(Segmentation fault\\)$"):
        recognize(dense, 300, OcrConfig())
    assert " ".join(w.text for w in recognize(line, 200, OcrConfig())) == LINE


def test_a_page_tesseract_gives_up_on_fails_its_file_alone(tmp_path: Path, line: np.ndarray,
                                                            dense: np.ndarray) -> None:
    scans = tmp_path / "scans"
    scans.mkdir()
    Image.fromarray(line).save(scans / "line.png", dpi=(200, 200))
    Image.fromarray(dense).save(scans / "dense.png", dpi=(300, 300))
    config = replace(batch_config(tmp_path / "out", tmp_path / "data", jobs=1), ocr=OcrConfig(timeout=0.3))
    summary = process_batch([str(scans)], config)
    assert summary.failed == [{"source": str(scans / "dense.png"), "error": "page 1: Tesseract gave up after 0.3 s"}]
    assert summary.documents == 1
