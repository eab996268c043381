"""Searchable PDF/A-2b: each page shows the scan, with an invisible text layer placed on the recognized words; a
born-digital page whose own text was used is kept as it is (rewritten as PDF/A by Ghostscript beforehand).

The text layer uses Tesseract's glyphless font (``glyphless.ttf``, Apache-2.0, from Tesseract's ``pdf.ttf``):
every character code is its UTF-16 value and maps to one empty glyph, so viewers select and search the words and
``pdftotext`` returns them with their diacritics, whatever the script.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import io
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from itertools import groupby

import pikepdf
from PIL import ImageCms

from ocr.recognize import Word

PRODUCER = "sohoa"
_GLYPH_WIDTH = 0.5  # em: the advance of the glyphless font's only glyph


@dataclass
class PdfPage:
    jpeg: bytes  # the page as shown (upright, deskewed scan)
    width_px: int
    height_px: int
    dpi: float
    gray: bool
    words: list[Word] = field(default_factory=list)  # in the image's pixels


@dataclass
class KeptPage:
    pdf: bytes  # a one-page PDF/A: the born-digital page, vectors and text as its author made them


@dataclass
class PdfInfo:
    title: str
    doc_type: str
    source: str
    created: dt.datetime
    keywords: list[str] = field(default_factory=list)


def build_pdfa(pages: list[PdfPage | KeptPage], info: PdfInfo) -> bytes:
    with contextlib.ExitStack() as sources:  # a copied page's source stays open until the copy is saved
        pdf = pikepdf.new()
        font = _font(pdf)
        for page in pages:
            if isinstance(page, KeptPage):
                pdf.pages.append(sources.enter_context(pikepdf.open(io.BytesIO(page.pdf))).pages[0])
            else:
                _add_page(pdf, page, font)
        _mark_pdfa(pdf, info)
        return _saved(pdf)


def _saved(pdf: pikepdf.Pdf) -> bytes:
    out = io.BytesIO()
    pdf.save(out, min_version="1.7", object_stream_mode=pikepdf.ObjectStreamMode.generate, deterministic_id=False)
    return out.getvalue()


def _add_page(pdf: pikepdf.Pdf, page: PdfPage, font: pikepdf.Dictionary) -> None:
    scale = 72.0 / page.dpi  # points per pixel
    width, height = page.width_px * scale, page.height_px * scale
    image = pikepdf.Stream(pdf, page.jpeg, Type=pikepdf.Name.XObject, Subtype=pikepdf.Name.Image,
                           Width=page.width_px, Height=page.height_px, BitsPerComponent=8,
                           ColorSpace=pikepdf.Name.DeviceGray if page.gray else pikepdf.Name.DeviceRGB,
                           Filter=pikepdf.Name.DCTDecode)
    content = [f"q {width:.3f} 0 0 {height:.3f} 0 0 cm /Im0 Do Q".encode(), _text_layer(page.words, scale, height)]
    pdf.add_blank_page(page_size=(width, height))
    pdf_page = pdf.pages[-1]
    pdf_page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image), Font=pikepdf.Dictionary(F0=font))
    pdf_page.Contents = pdf.make_stream(b"\n".join(content))


def _text_layer(words: list[Word], scale: float, page_height: float) -> bytes:
    """Invisible text (rendering mode 3), one run per word, on the line's baseline and stretched to the word's box."""
    ops = ["BT 3 Tr"]
    for _, line_words in groupby(words, key=lambda w: w.line):
        line = list(line_words)
        size = max(1.0, (max(w.bottom for w in line) - min(w.top for w in line)) * scale * 0.8)
        baseline = page_height - max(w.bottom for w in line) * scale + size * 0.15
        for word in line:
            stretch = 100.0 * (word.right - word.left) * scale / (len(word.text) * _GLYPH_WIDTH * size)
            code = (word.text + " ").encode("utf-16-be").hex()  # the space keeps words apart in copied text
            ops.append(f"/F0 {size:.2f} Tf {stretch:.2f} Tz 1 0 0 1 {word.left * scale:.2f} {baseline:.2f} Tm "
                       f"<{code}> Tj")
    ops.append("ET")
    return "\n".join(ops).encode()


def _font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    program = files("ocr").joinpath("glyphless.ttf").read_bytes()
    descriptor = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor, FontName=pikepdf.Name.GlyphLessFont, Flags=5,
        FontBBox=[0, 0, 500, 1000], ItalicAngle=0, Ascent=1000, Descent=0, CapHeight=1000, StemV=80,
        FontFile2=pdf.make_stream(program, Length1=len(program))))
    cid_to_gid = pdf.make_stream(b"\x00\x01" * 65536)  # every code to glyph 1
    descendant = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.CIDFontType2, BaseFont=pikepdf.Name.GlyphLessFont,
        CIDSystemInfo=pikepdf.Dictionary(Registry="Adobe", Ordering="Identity", Supplement=0),
        FontDescriptor=descriptor, DW=int(_GLYPH_WIDTH * 1000), CIDToGIDMap=cid_to_gid))
    return pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=pikepdf.Name.GlyphLessFont,
        Encoding=pikepdf.Name("/Identity-H"), DescendantFonts=[descendant], ToUnicode=pdf.make_stream(_TO_UNICODE)))


_TO_UNICODE = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
1 beginbfrange
<0000> <FFFF> <0000>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end
"""


@cache
def _srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _mark_pdfa(pdf: pikepdf.Pdf, info: PdfInfo) -> None:
    """XMP metadata with the PDF/A-2B identification, and an sRGB output intent."""
    icc = pdf.make_stream(_srgb_profile(), N=3)
    pdf.Root.OutputIntents = [pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1, OutputConditionIdentifier="sRGB IEC61966-2.1",
        Info="sRGB IEC61966-2.1", DestOutputProfile=icc)]
    stamp = info.created.isoformat()
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        _describe(meta, info, stamp)
        meta["pdf:Producer"] = PRODUCER
        meta["xmp:CreatorTool"] = PRODUCER
        meta["xmp:CreateDate"] = stamp
        meta["pdfaid:part"] = "2"
        meta["pdfaid:conformance"] = "B"


def _describe(meta: pikepdf.models.PdfMetadata, info: PdfInfo, modified: str) -> None:
    meta["dc:title"] = info.title
    meta["dc:description"] = f"{info.doc_type}; source: {info.source}"
    meta["dc:source"] = info.source
    meta["dc:subject"] = [info.doc_type, *info.keywords]
    meta["pdf:Keywords"] = ", ".join([info.doc_type, *info.keywords])
    meta["xmp:ModifyDate"] = modified
    meta["xmp:MetadataDate"] = modified


def relabel(data: bytes, info: PdfInfo, modified: dt.datetime) -> bytes:
    """The same unsigned PDF/A described anew by ``info`` (a corrected document type), modified at ``modified``."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            _describe(meta, info, modified.isoformat())
        return _saved(pdf)


def creation_time(data: bytes) -> dt.datetime | None:
    """When the PDF/A was made (its XMP CreateDate), None when it does not say."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        stamp = pdf.open_metadata().get("xmp:CreateDate")
    try:
        return dt.datetime.fromisoformat(stamp) if stamp else None
    except ValueError:
        return None
