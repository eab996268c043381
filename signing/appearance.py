"""Visible signatures as Vietnamese rules place them, by document kind (CONTRACT §6).

- result, registry_book: the agency's signature at the top right of page 1: its seal, its name, the signing time;
- dossier: the digitizing officer's personal signature at the top left of page 1: name and scan time.

Text is set in Noto Sans, embedded as a TrueType subset, so Vietnamese diacritics render and the file stays PDF/A.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import os
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign.fields import SigFieldSpec
from pyhanko.stamp import TextStampStyle

from signing.request import VIETNAM, SignRequest

FONT = Path("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf")  # Debian's fonts-noto-core
# Latin with every Vietnamese letter (precomposed and combining marks), punctuation, the đồng sign
FONT_CHARS = [*range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x300, 0x370), *range(0x1E00, 0x1F00),
              *range(0x2000, 0x2070), 0x20AB]
WIDTH, HEIGHT, MARGIN = 210, 52, 18  # points
FONT_SIZE = 8
TEXT_COLOR = (0.0, 0.0, 0.55)
SEAL_RED = (218, 37, 29)
FIELD_NAME = "Signature1"


@dataclass(frozen=True)
class Appearance:
    field: SigFieldSpec
    style: TextStampStyle
    text: dict[str, str]  # the stamp text's parameters


def vietnam_time(moment: dt.datetime) -> str:
    """Date and time to the second in Vietnam's time zone, as Vietnamese documents write them."""
    return moment.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M:%S (GMT+7)")


def appearance(request: SignRequest, media_box: tuple[float, ...], signed_at: dt.datetime,
               signer: str, seal_image: Path | None = None) -> Appearance | None:
    """The visible signature for ``request``'s kind, or None (invisible) when it has no kind."""
    if request.kind is None:
        return None
    left, _, right, top = media_box
    if request.kind == "dossier":
        box = (left + MARGIN, top - MARGIN - HEIGHT, left + MARGIN + WIDTH, top - MARGIN)
        lines = (f"Người số hóa: {request.operator or signer}",
                 f"Thời gian quét: {vietnam_time(request.scanned_at or signed_at)}")
        seal = None
    else:
        box = (right - MARGIN - WIDTH, top - MARGIN - HEIGHT, right - MARGIN, top - MARGIN)
        lines = (request.agency_name or signer, f"Thời gian ký: {vietnam_time(signed_at)}")
        seal = PdfImage(_seal(seal_image))
    style = TextStampStyle(
        stamp_text="%(line1)s\n%(line2)s",
        text_box_style=TextBoxStyle(font=_font(), font_size=FONT_SIZE, leading=FONT_SIZE + 3, text_color=TEXT_COLOR),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(left=HEIGHT + 4 if seal else 4, right=2)),
        background=seal,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(1)),
        background_opacity=1.0,
        border_width=0,
    )
    field = SigFieldSpec(FIELD_NAME, on_page=0, box=_rounded(box))
    return Appearance(field, style, {"line1": lines[0], "line2": lines[1]})


def _rounded(box: tuple[float, float, float, float]) -> tuple[int, int, int, int]:
    return round(box[0]), round(box[1]), round(box[2]), round(box[3])


@cache
def _font() -> GlyphAccumulatorFactory:
    """Noto Sans cut down to FONT_CHARS, once per machine: pyHanko subsets the font it is given for every signature,
    which takes 0.2 s with the whole Noto Sans and a tenth of that with this cut."""
    if not FONT.exists():
        raise FileNotFoundError(f"the signature font {FONT} is missing (Debian package fonts-noto-core)")
    digest = hashlib.sha256(FONT.read_bytes()).hexdigest()[:16]
    cut = Path(tempfile.gettempdir()) / f"sohoa-{FONT.stem}-vi-{digest}.ttf"
    if not cut.exists():
        font = TTFont(FONT)
        options = subset.Options()
        options.layout_features = ["kern"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=FONT_CHARS)
        subsetter.subset(font)
        partial = cut.with_name(f"{cut.name}.{os.getpid()}")
        font.save(partial)
        partial.replace(cut)  # atomic: other processes see the whole font or none
    return GlyphAccumulatorFactory(str(cut), font_size=FONT_SIZE)


@cache
def _seal(path: Path | None) -> Image.Image:
    """The configured seal image, or a plain red seal drawn here: two rings around a five-pointed star."""
    if path is not None:
        return Image.open(path).convert("RGBA")
    size = 240
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    centre = size / 2
    for radius, width in ((centre - 4, 9), (centre - 34, 4)):
        draw.ellipse((centre - radius, centre - radius, centre + radius, centre + radius), outline=SEAL_RED,
                     width=width)
    star = [(centre + r * math.sin(math.pi * k / 5), centre - r * math.cos(math.pi * k / 5))
            for k, r in zip(range(10), [58, 23] * 5, strict=True)]
    draw.polygon(star, fill=SEAL_RED)
    return image
