"""Reading the pages of a scan file one at a time, so a long file never sits in memory whole."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageOps, UnidentifiedImageError

from ingest.errors import InputError, OverLimit
from ingest.limits import Limits
from ingest.pdftext import PdfText, text_layer
from ingest.sniff import Kind

log = logging.getLogger(__name__)

RENDER_DPI = 300  # for PDF pages that are not one full-page image
_MIN_CREDIBLE_DPI = 50  # below this a recorded resolution is an aspect ratio, not a resolution

Image.MAX_IMAGE_PIXELS = None  # our own Limits apply, with a clearer message


@dataclass
class RawPage:
    """One decoded page: ``L`` or ``RGB`` pixels and the resolution the file records (None if it records none)."""

    image: Image.Image
    dpi: float | None
    text: PdfText | None = None  # a rendered PDF page's own text layer (a scan stored as one image has none)


def page_count(path: Path, kind: Kind, limits: Limits) -> int:
    """Check the file against the limits and count its pages; ``InputError`` when it cannot be read."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise OverLimit(f"file too large: {size:,} bytes, the limit is {limits.max_file_bytes:,}")
    if kind == "pdf":
        with _open_pdf(path) as pdf:
            count = len(pdf)
    else:
        with _open_image(path) as img:
            count = getattr(img, "n_frames", 1)
            if count <= limits.max_pages:
                _check_frames(img, count, limits)
    if count == 0:
        raise InputError("the file holds no pages")
    if count > limits.max_pages:
        raise OverLimit(f"too many pages: {count}, the limit is {limits.max_pages}")
    return count


def read_page(path: Path, kind: Kind, number: int, limits: Limits) -> RawPage:
    """Page ``number`` (1-based) of the file. Its size is checked from the file's header before any pixel is
    decoded: a small file announcing a huge page (a decompression bomb) never takes a worker's memory."""
    return _read_pdf_page(path, number, limits) if kind == "pdf" else _read_image_page(path, number, limits)


def _check_pixels(width: float, height: float, number: int, limits: Limits) -> None:
    pixels = round(width) * round(height)
    if pixels > limits.max_page_pixels:
        raise OverLimit(f"page {number} is too large: {pixels:,} pixels, the limit is {limits.max_page_pixels:,}")


def _check_frames(img: Image.Image, count: int, limits: Limits) -> None:
    """Every frame's size, from its header (seeking a frame decodes none of its pixels)."""
    try:
        for number in range(1, count + 1):
            img.seek(number - 1)
            _check_pixels(*img.size, number, limits)
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InputError(f"the image cannot be read: {exc}") from exc


def _open_image(path: Path) -> Image.Image:
    try:
        return Image.open(path)
    except (UnidentifiedImageError, OSError, SyntaxError) as exc:
        raise InputError(f"the image cannot be read: {exc}") from exc


def _open_pdf(path: Path) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise InputError("the PDF is encrypted (password-protected); send it without a password") from exc
        raise InputError(f"the PDF is damaged and cannot be opened ({exc})") from exc


def _read_image_page(path: Path, number: int, limits: Limits) -> RawPage:
    with _open_image(path) as img:
        try:
            img.seek(number - 1)
            _check_pixels(*img.size, number, limits)
            img.load()
            dpi = _dpi(img.info.get("dpi"))
            return RawPage(_normalize_mode(img), dpi)
        except (OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InputError(f"page {number} cannot be decoded (truncated or corrupt image: {exc})") from exc


def _dpi(value: object) -> float | None:
    if isinstance(value, tuple | list) and value:
        dpi = float(value[0])
        return float(round(dpi)) if dpi >= _MIN_CREDIBLE_DPI else None
    return None


def _normalize_mode(img: Image.Image) -> Image.Image:
    """8-bit grey or RGB; transparency flattened on white; EXIF orientation applied."""
    img = ImageOps.exif_transpose(img)
    if img.mode in ("L", "RGB"):
        return img.copy()
    if img.mode in ("1", "I;16", "I;16B", "I;16L", "I", "F"):
        return img.convert("L") if img.mode == "1" else ImageOps.autocontrast(img.convert("F").convert("L"))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return img.convert("RGB")


def _read_pdf_page(path: Path, number: int, limits: Limits) -> RawPage:
    with _open_pdf(path) as pdf:
        page = pdf[number - 1]
        try:
            scan = _full_page_image(page, number, limits)
            if scan is not None:
                log.debug("page %d of %s is one full-page image: taken as it is, not rendered", number, path.name,
                          extra={"file": path.name, "page": number})
                return scan
            width_pt, height_pt = page.get_size()
            scale = RENDER_DPI / 72
            if width_pt * height_pt * scale * scale > limits.max_page_pixels:
                raise OverLimit(f"page {number} is too large to render at {RENDER_DPI} dpi")
            bitmap = page.render(scale=scale, may_draw_forms=True)
            return RawPage(_normalize_mode(bitmap.to_pil()), float(RENDER_DPI), text_layer(page))
        except pdfium.PdfiumError as exc:
            raise InputError(f"page {number} of the PDF cannot be rendered ({exc})") from exc
        finally:
            page.close()


def _full_page_image(page: pdfium.PdfPage, number: int, limits: Limits) -> RawPage | None:
    """The embedded scan itself when the page is nothing but one upright image covering it (as copiers write)."""
    if page.get_rotation() != 0:
        return None
    objects = list(page.get_objects(max_depth=1))
    if len(objects) != 1 or objects[0].type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
        return None
    image = objects[0]
    matrix = image.get_matrix()
    if abs(matrix.b) > 1e-3 or abs(matrix.c) > 1e-3 or matrix.a <= 0 or matrix.d <= 0:
        return None
    left, bottom, right, top = image.get_bounds()
    width_pt, height_pt = page.get_size()
    if left > 2 or bottom > 2 or right < width_pt - 2 or top < height_pt - 2:
        return None
    px_w, px_h = image.get_px_size()
    _check_pixels(px_w, px_h, number, limits)
    pil = image.get_bitmap(render=False).to_pil()
    return RawPage(_normalize_mode(pil), round(px_w * 72 / (right - left), 1))
