"""Generator of small, realistic scanned Vietnamese administrative pages with their ground truth.

Used by the ``sohoa sample`` demo command and by the test suite (which runs real Tesseract on them).
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import segno
from PIL import Image, ImageDraw, ImageFont

A5_MM = (148.0, 210.0)
_FONT_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu")
_FONT_FILES = {  # (face, bold) -> candidate files, best first
    ("sans", False): ("NotoSans-Regular.ttf", "DejaVuSans.ttf"),
    ("sans", True): ("NotoSans-Bold.ttf", "DejaVuSans-Bold.ttf"),
    ("serif", False): ("NotoSerif-Regular.ttf", "DejaVuSerif.ttf"),
    ("serif", True): ("NotoSerif-Bold.ttf", "DejaVuSerif-Bold.ttf"),
    ("condensed", False): ("DejaVuSansCondensed.ttf", "NotoSans-Regular.ttf"),
    ("condensed", True): ("DejaVuSansCondensed-Bold.ttf", "NotoSans-Bold.ttf"),
    ("sans-italic", False): ("NotoSans-Italic.ttf", "DejaVuSans-Oblique.ttf"),
    ("sans-italic", True): ("NotoSans-BoldItalic.ttf", "DejaVuSans-BoldOblique.ttf"),
    ("serif-italic", False): ("NotoSerif-Italic.ttf", "DejaVuSerif-Italic.ttf"),
    ("serif-italic", True): ("NotoSerif-BoldItalic.ttf", "DejaVuSerif-BoldItalic.ttf"),
    ("condensed-italic", False): ("DejaVuSansCondensed-Oblique.ttf", "NotoSans-Italic.ttf"),
    ("condensed-italic", True): ("DejaVuSansCondensed-BoldOblique.ttf", "NotoSans-BoldItalic.ttf"),
}
_PDF_DATE = time.gmtime(1712016000)  # 2024-04-02, fixed so the PDF bytes are reproducible


@dataclass(frozen=True)
class SamplePage:
    """Ground truth of one page of a sample file."""

    text: str  # printed text, NFC, lines joined by "\n", reading order (left column before right column)
    blank: bool = False
    separator: bool = False
    rotation: int = 0  # clockwise correction needed: the page was turned counter-clockwise by this
    skew_deg: float = 0.0  # counter-clockwise tilt of the content


@dataclass(frozen=True)
class SampleFile:
    """Ground truth of one file of a sample batch."""

    name: str
    pages: list[SamplePage] = field(default_factory=list)
    corrupt: bool = False


@cache
def _font(size_px: int, bold: bool = False, face: str = "sans") -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A font with Vietnamese glyphs: ``face`` is one of sans, serif, condensed, each also ``-italic``."""
    for name in _FONT_FILES[face, bold]:
        for folder in _FONT_DIRS:
            if (path := Path(folder) / name).is_file():
                return ImageFont.truetype(str(path), size_px)
    return ImageFont.load_default(size_px)


def _px(mm: float, dpi: int) -> int:
    return round(mm * dpi / 25.4)


def _canvas(dpi: int, size_mm: tuple[float, float]) -> Image.Image:
    return Image.new("RGB", (_px(size_mm[0], dpi), _px(size_mm[1], dpi)), "white")


def render_page(
    lines: list[str],
    *,
    dpi: int = 200,
    size_mm: tuple[float, float] = A5_MM,
    header: tuple[list[str], list[str]] | None = None,
    font_pt: float = 12,
) -> np.ndarray:
    """Print left-aligned ``lines`` (upper-case lines in bold) under an optional two-column official header."""
    page = _canvas(dpi, size_mm)
    draw = ImageDraw.Draw(page)
    margin = _px(15, dpi)
    y = margin
    if header:
        # The header shrinks until its widest line fits its column, as on a real page reduced to A5.
        text_w = page.width - 2 * margin
        cols = ((margin, 0.4 * text_w), (margin + 0.4 * text_w, 0.6 * text_w))
        pt = font_pt
        while pt > 8 and any(
            _font(round(pt * dpi / 72), s.isupper()).getlength(s) > col_w
            for (_, col_w), col in zip(cols, header, strict=True)
            for s in col
        ):
            pt -= 0.5
        size = round(pt * dpi / 72)
        for (x0, col_w), col in zip(cols, header, strict=True):
            for i, s in enumerate(col):
                font = _font(size, s.isupper())
                draw.text((x0 + (col_w - font.getlength(s)) / 2, y + i * round(size * 1.5)), s, font=font, fill=0)
        y += (max(len(c) for c in header) + 1) * round(size * 1.5)
    size = round(font_pt * dpi / 72)
    for s in lines:
        draw.text((margin, y), s, font=_font(size, s.isupper()), fill=0)
        y += round(size * 1.6)
    return np.array(page)


def render_table(
    title: list[str],
    columns: list[str],
    rows: list[list[str]],
    *,
    widths: list[float],
    dpi: int = 200,
    size_mm: tuple[float, float] = (297.0, 210.0),
    font_pt: float = 10,
) -> np.ndarray:
    """A register book page: centred title lines above a ruled table (``widths`` in mm, one per column)."""
    page = _canvas(dpi, size_mm)
    draw = ImageDraw.Draw(page)
    size = round(font_pt * dpi / 72)
    margin, y = _px(12, dpi), _px(12, dpi)
    for line in title:
        font = _font(round(size * 1.3), line.isupper())
        draw.text(((page.width - font.getlength(line)) / 2, y), line, font=font, fill=0)
        y += round(size * 2)
    xs = [margin]
    for w in widths:
        xs.append(xs[-1] + _px(w, dpi))
    row_h = round(size * 2.6)
    ys = [y + i * row_h for i in range(len(rows) + 2)]
    for x in xs:
        draw.line([(x, ys[0]), (x, ys[-1])], fill=0, width=max(1, dpi // 100))
    for yy in ys:
        draw.line([(xs[0], yy), (xs[-1], yy)], fill=0, width=max(1, dpi // 100))
    for r, cells in enumerate([columns, *rows]):
        for c, text in enumerate(cells):
            font = _font(size, r == 0)
            draw.text((xs[c] + size // 2, ys[r] + (row_h - size) // 2 - size // 5), text, font=font, fill=0)
    return np.array(page)


def page_text(lines: list[str], header: tuple[list[str], list[str]] | None = None) -> str:
    """Truth text of a page printed by :func:`render_page`: left header column, right column, then the body."""
    return "\n".join([*(header[0] + header[1] if header else []), *lines])


def separator_page(payload: str = "SOHOA-SEP", *, dpi: int = 200, size_mm: tuple[float, float] = A5_MM) -> np.ndarray:
    """A separator sheet: the title "TỜ PHÂN CÁCH" above a big QR code carrying ``payload``."""
    page = _canvas(dpi, size_mm)
    font = _font(round(20 * dpi / 72), True)
    title = "TỜ PHÂN CÁCH"
    ImageDraw.Draw(page).text(((page.width - font.getlength(title)) / 2, _px(25, dpi)), title, font=font, fill=0)
    modules = np.array(list(segno.make(payload, error="m", micro=False).matrix_iter(border=4)), dtype=bool)
    scale = _px(80, dpi) // modules.shape[0]
    qr = np.where(np.kron(modules, np.ones((scale, scale), dtype=bool)), 0, 255).astype(np.uint8)
    page.paste(Image.fromarray(qr).convert("RGB"), ((page.width - qr.shape[1]) // 2, _px(50, dpi)))
    return np.array(page)


def blank_page(*, dpi: int = 200, size_mm: tuple[float, float] = A5_MM, faint_noise: bool = True) -> np.ndarray:
    """A page with no content: off-white paper noise and a faint mirrored bleed-through ghost (or pure white)."""
    shape = (_px(size_mm[1], dpi), _px(size_mm[0], dpi))
    if not faint_noise:
        return np.full((*shape, 3), 255, dtype=np.uint8)
    ghost = 255 - np.fliplr(render_page(_DEATH[1:6], dpi=dpi, size_mm=size_mm)[..., 0]).astype(np.float32)
    faint = cv2.GaussianBlur(ghost, (0, 0), dpi / 60) / 255
    noise = np.random.default_rng(20240315).normal(0, 1.5, shape)
    gray = np.clip(249 - 9 * faint + noise, 0, 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


def rotate(img: np.ndarray, quarter_turns_ccw: int) -> np.ndarray:
    """Turn the image counter-clockwise by ``quarter_turns_ccw`` quarter turns."""
    return np.ascontiguousarray(np.rot90(img, quarter_turns_ccw % 4))


def skew(img: np.ndarray, degrees_ccw: float) -> np.ndarray:
    """Tilt the image counter-clockwise on a larger white bed so nothing is cut."""
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees_ccw, 1.0)
    cos, sin = abs(m[0, 0]), abs(m[0, 1])
    new_w, new_h = int(np.ceil(w * cos + h * sin)), int(np.ceil(w * sin + h * cos))
    m[:, 2] += ((new_w - w) / 2, (new_h - h) / 2)
    white = (255,) * img.shape[2] if img.ndim == 3 else 255
    return cv2.warpAffine(img, m, (new_w, new_h), flags=cv2.INTER_LINEAR, borderValue=white)


def _lines(text: str) -> list[str]:
    """A document's lines, written compactly as "line|line|..."."""
    return text.split("|")


_BIRTH = _lines(
    "GIẤY KHAI SINH|Họ, chữ đệm, tên: NGUYỄN VĂN AN|Ngày, tháng, năm sinh: 15/03/1990|Giới tính: Nam|"
    "Dân tộc: Kinh|Quốc tịch: Việt Nam|Nơi sinh: Trạm y tế xã An Hòa|Quê quán: xã An Hòa, huyện Phú Tân|"
    "Số định danh cá nhân: 001090012345|Họ, chữ đệm, tên người cha: NGUYỄN VĂN BÌNH|"
    "Họ, chữ đệm, tên người mẹ: TRẦN THỊ HOA|Số: 25/1990, Quyển số: 01|"
    "Nơi đăng ký: Ủy ban nhân dân xã An Hòa|Ngày đăng ký: 20/03/1990"
)
_DECISION_HEADER = (
    ["ỦY BAN NHÂN DÂN", "XÃ AN HÒA", "Số: 123/QĐ-UBND"],
    ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "An Hòa, ngày 15 tháng 3 năm 2024"],
)
_DECISION = _lines(
    "QUYẾT ĐỊNH|Về việc công nhận gia đình văn hóa năm 2024|CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ AN HÒA|"
    "Căn cứ Luật Tổ chức chính quyền địa phương;|Xét đề nghị của công chức Văn hóa - Xã hội;|"
    "Điều 1. Công nhận 25 hộ đạt gia đình văn hóa.|Điều 2. Quyết định có hiệu lực từ ngày ký.|"
    "Điều 3. Văn phòng và các hộ có tên chịu|trách nhiệm thi hành Quyết định này.|TM. ỦY BAN NHÂN DÂN|"
    "CHỦ TỊCH|Lê Văn Minh"
)
_MARRIAGE = _lines(
    "GIẤY CHỨNG NHẬN KẾT HÔN|Họ, chữ đệm, tên chồng: PHẠM QUỐC HÙNG|Ngày, tháng, năm sinh: 02/09/1992|"
    "Số định danh cá nhân: 034092004567|Họ, chữ đệm, tên vợ: ĐỖ THỊ MAI|Ngày, tháng, năm sinh: 21/11/1994|"
    "Số định danh cá nhân: 034194007788|Số: 12/2024, Quyển số: 01/2024|Ngày đăng ký: 08/05/2024|"
    "Nơi đăng ký: Ủy ban nhân dân xã An Hòa|Chữ ký của hai bên nam nữ đã được ghi nhận.|"
    "Công chức tư pháp - hộ tịch: Vũ Thị Lan"
)
_CRIMINAL = _lines(
    "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1|Số: 5521/LLTP|Họ và tên: HOÀNG THỊ THU|Giới tính: Nữ|"
    "Ngày, tháng, năm sinh: 07/07/1988|Nơi sinh: Thái Bình|Số định danh cá nhân: 034188001234|"
    "Tình trạng án tích: Không có án tích|Thông tin về cấm đảm nhiệm chức vụ:|"
    "Không bị cấm đảm nhiệm chức vụ.|Ngày cấp: 10/06/2024|Sở Tư pháp tỉnh Thái Bình"
)
_APPLICATION = _lines(
    "ĐƠN ĐỀ NGHỊ|Cấp bản sao trích lục hộ tịch|Kính gửi: Ủy ban nhân dân xã An Hòa|"
    "Họ và tên người yêu cầu: LÝ MINH TUẤN|Số định danh cá nhân: 001085009876|"
    "Nơi cư trú: thôn Đông, xã An Hòa|Điện thoại: 0912 345 678|Đề nghị cấp 02 bản sao Giấy khai sinh|"
    "của con tôi là LÝ GIA HUY.|Tôi cam đoan lời khai trên là đúng sự thật.|An Hòa, ngày 04 tháng 4 năm 2024|"
    "Người yêu cầu: Lý Minh Tuấn"
)
_DEATH = _lines(
    "TRÍCH LỤC KHAI TỬ|Họ, chữ đệm, tên: BÙI VĂN KHẢI|Ngày, tháng, năm sinh: 12/01/1941|"
    "Số định danh cá nhân: 034041000321|Đã chết vào lúc: 05 giờ, ngày 28/02/2024|"
    "Nơi chết: thôn Tây, xã An Hòa|Nguyên nhân chết: già yếu|Số: 07/2024, Quyển số: 01/2024|"
    "Ngày đăng ký: 01/03/2024|Nơi đăng ký: Ủy ban nhân dân xã An Hòa|Người đi khai tử: Bùi Văn Lực, con|"
    "Công chức tư pháp - hộ tịch: Vũ Thị Lan"
)
_LETTER_HEADER = (
    ["UBND HUYỆN PHÚ TÂN", "PHÒNG TƯ PHÁP", "Số: 1816/PTP-HT", "V/v số hóa sổ hộ tịch"],
    ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Phú Tân, ngày 02 tháng 4 năm 2024"],
)
_LETTER = _lines(
    "Kính gửi: Ủy ban nhân dân các xã, thị trấn.|Thực hiện kế hoạch số hóa dữ liệu hộ tịch,|"
    "Phòng Tư pháp đề nghị Ủy ban nhân dân các|xã, thị trấn rà soát sổ đăng ký khai sinh,|"
    "kết hôn, khai tử từ năm 1990 đến nay.|Bản quét đạt độ phân giải tối thiểu 200 dpi,|"
    "đúng thứ tự trang, không thiếu trang."
)
_LETTER_2 = _lines(
    "Kết quả gửi về Phòng Tư pháp trước ngày|30/4/2024 để tổng hợp, báo cáo.|"
    "Trong quá trình thực hiện, nếu có vướng mắc|xin liên hệ số điện thoại 0273 385 1234.|Nơi nhận:|"
    "- Như trên;|- Lưu: VT.|TRƯỞNG PHÒNG|Nguyễn Thị Hằng"
)


def write_sample_batch(out_dir: Path, *, dpi: int = 200, truth_path: Path | None = None) -> list[SampleFile]:
    """Write a varied batch of scans (PNG, JPEG, multi-page TIFF, PDF, one corrupt file); truth to ``truth_path``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    files: list[SampleFile] = []

    def doc(lines: list[str], header: tuple[list[str], list[str]] | None = None) -> tuple[np.ndarray, SamplePage]:
        return render_page(lines, dpi=dpi, header=header), SamplePage(page_text(lines, header))

    def save(name: str, pages: list[tuple[np.ndarray, SamplePage]], gray: bool = False, **options: Any) -> None:
        first, *rest = (Image.fromarray(a).convert("L" if gray else "RGB") for a, _ in pages)
        first.save(out_dir / name, save_all=bool(rest), append_images=rest, dpi=(dpi, dpi), **options)
        files.append(SampleFile(name, [page for _, page in pages]))

    save("01_giay_khai_sinh.png", [doc(_BIRTH)], gray=True)
    save("02_quyet_dinh.jpg", [doc(_DECISION, _DECISION_HEADER)], quality=85)
    img, page = doc(_MARRIAGE)
    save("03_ket_hon_lon_nguoc.png", [(rotate(img, 2), replace(page, rotation=180))], gray=True)
    img, page = doc(_CRIMINAL)
    save("04_ly_lich_nghieng.png", [(skew(img, 4.0), replace(page, skew_deg=4.0))])
    separator = separator_page("SOHOA-SEP;pages=2", dpi=dpi), SamplePage("TỜ PHÂN CÁCH", separator=True)
    blank = blank_page(dpi=dpi), SamplePage("", blank=True)
    save("05_ho_so.tif", [doc(_APPLICATION), separator, doc(_DEATH), blank], gray=True, compression="tiff_lzw")
    save("06_cong_van.pdf", [doc(_LETTER, _LETTER_HEADER), doc(_LETTER_2)], creationDate=_PDF_DATE, modDate=_PDF_DATE)
    png = io.BytesIO()
    Image.fromarray(doc(_BIRTH[:6])[0]).convert("L").save(png, "PNG", dpi=(dpi, dpi))
    (out_dir / "07_giay_khai_sinh_2.png").write_bytes(png.getvalue()[: png.tell() // 3])  # cut off mid-transfer
    files.append(SampleFile("07_giay_khai_sinh_2.png", [], corrupt=True))
    if truth_path:
        truth_path.write_text(json.dumps([asdict(f) for f in files], ensure_ascii=False, indent=2) + "\n",
                              encoding="utf-8")
    return files
