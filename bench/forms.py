"""Form-edition batch: the label/value documents as other editions, regions and offices print them.

    python bench/forms.py OUTDIR --docs 40 --seed 5 [--jobs N] [--clean] [--wordings holdout] [--bench-dir DIR]

Everything after ``--bench-dir`` is corpus.py's own command line; the output (OUTDIR/input/, OUTDIR/truth.json) is
laid out as corpus.py lays it out, so ``score.py``, ``bench/pipeline.py`` and ``make bench BATCH=OUTDIR`` take it.
Only the eight form types are made (birth, marriage and death papers, criminal records, citizen ID cards, driving
licences, land certificates, application forms), each from its own template here, on top of the shared generator's
layout, people, places and degradations. Each document's options are drawn on their own and named in its truth
``template`` (``gks-tt08-inverted-nocolon-table-low-numbered-swapped``), so scores can be read per option:

- edition: ``tt04`` (Thông tư 04/2020), ``tt15`` (15/2015), ``tt08`` (08.a/2010), ``eform`` (one-stop e-forms);
  cards ``cccd2016``, ``cccd2021``, ``cc2024``; licences ``pet2013``, ``pet2021``;
- wording: ``std``, ``inverted`` ('Sinh ngày', 'Tên, họ', 'Thường trú tại'), ``abbr`` ('Ng. sinh', 'HKTT',
  'SĐDCN'), ``bilingual`` ('Họ và tên / Full name', either half misprinted as OCR would misread it), ``mixed``;
- colon: ``colon`` or ``nocolon`` (labels without their colon);
- layout: ``lines`` ('Label: value'), ``tabs`` (values at a tab stop), ``table`` (ruled two-column rows),
  ``low`` (ruled rows whose label wraps in a narrow column and whose value sits lower or wraps);
- owners: ``inline`` ('Họ, chữ đệm, tên người mẹ'), ``headed`` ('THÔNG TIN NGƯỜI MẸ' then 'Họ tên'),
  ``numbered`` ('1. Người cha', 'II. Bên vợ' then 'Họ tên'), ``sidebyside`` (marriage: a 'Chồng | Vợ' table);
  ``swapped``: mother before father, wife before husband, the other person before the applicant;
- cards: ``damaged`` (bilingual labels with one half misprinted), ``faded`` (labels too faint to read: values
  from their pattern and place), ``nocolon``;
- traps: a parent's or declarant's or co-owner's own ID number, an ID card's 'cấp ngày' on a criminal record,
  the birth date of the child an application form is about.

Resolutions are 150, 200 and 300 dpi. Truth follows corpus.py's conventions (ISO dates, names as printed).
``--wordings holdout`` prints other labels (``HOLDOUT_VOCAB``: 'Chỗ ở hiện nay', 'Số CMND/CCCD/Hộ chiếu', 'Nam/Nữ',
'Họ tên của mẹ', 'BÊN NỮ'...) with another salt: a check that labels are read by meaning, not by these lists.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path

from benchdir import default_bench_dir

T = vn = layout = None  # the shared generator's templates, vn and layout modules: main() imports them from --bench-dir
SALT = 0xF0A5
HOLDOUT_SALT = 0xF0A6
DPIS = {150: 1.0, 200: 1.0, 300: 1.0}

# Label wordings of a field by style. 'std' are the wordings of the editions' printed forms.
VOCAB: dict[str, dict[str, list[str]]] = {
    "full_name": {"std": ["Họ, chữ đệm, tên", "Họ, chữ đệm và tên", "Họ và tên", "Họ tên"],
                  "inverted": ["Tên, họ", "Tên và họ", "Tên họ"], "abbr": ["H.tên", "H. tên", "HỌ TÊN"],
                  "en": ["Full name"]},
    "date_of_birth": {"std": ["Ngày, tháng, năm sinh", "Ngày sinh", "Ngày tháng năm sinh"],
                      "inverted": ["Sinh ngày", "Sinh vào ngày"], "abbr": ["Ng. sinh", "Ngày/tháng/năm sinh", "N.sinh"],
                      "en": ["Date of birth"]},
    "gender": {"std": ["Giới tính"], "inverted": ["Giới tính"], "abbr": ["GT", "Giới"], "en": ["Sex"]},
    "ethnicity": {"std": ["Dân tộc"], "inverted": ["Dân tộc"], "abbr": ["DT", "D.tộc"], "en": ["Ethnic group"]},
    "nationality": {"std": ["Quốc tịch"], "inverted": ["Quốc tịch"], "abbr": ["QT", "Q.tịch"],
                    "en": ["Nationality"]},
    "place_of_birth": {"std": ["Nơi sinh"], "inverted": ["Sinh tại", "Sinh ở"], "abbr": ["Nơi sinh", "N. sinh tại"],
                       "en": ["Place of birth"]},
    "hometown": {"std": ["Quê quán", "Nguyên quán"], "inverted": ["Quê quán"], "abbr": ["Q.quán", "Quê"],
                 "en": ["Place of origin"]},
    "residence": {"std": ["Nơi cư trú", "Nơi thường trú", "Địa chỉ thường trú", "Hộ khẩu thường trú",
                          "Nơi ở hiện tại"],
                  "inverted": ["Thường trú tại", "Cư trú tại", "Trú tại"], "abbr": ["HKTT", "Nơi TT", "Đ/c thường trú"],
                  "en": ["Place of residence"]},
    "personal_id": {"std": ["Số định danh cá nhân", "Số CCCD", "Số căn cước công dân", "Số căn cước"],
                    "inverted": ["Căn cước công dân số", "CCCD số", "Định danh cá nhân số"],
                    "abbr": ["SĐDCN", "Số ĐDCN", "Số CCCD/CMND"], "en": ["Personal identification number"]},
    "phone": {"std": ["Số điện thoại", "Điện thoại", "Điện thoại liên hệ"], "inverted": ["Điện thoại số"],
              "abbr": ["SĐT", "ĐT", "Đ.thoại"], "en": ["Telephone"]},
    "birth_year": {"std": ["Năm sinh"], "inverted": ["Sinh năm"], "abbr": ["Năm sinh"], "en": ["Year of birth"]},
    "registration_authority": {"std": ["Nơi đăng ký", "Cơ quan đăng ký"], "inverted": ["Đăng ký tại"],
                               "abbr": ["Nơi ĐK", "Cơ quan ĐK"], "en": ["Place of registration"]},
    "registration_date": {"std": ["Ngày, tháng, năm đăng ký", "Ngày đăng ký"], "inverted": ["Đăng ký ngày"],
                          "abbr": ["Ngày ĐK", "Ng. đăng ký"], "en": ["Date of registration"]},
    "date_of_death": {"std": ["Đã chết vào lúc", "Chết vào lúc", "Thời gian chết"],
                      "inverted": ["Chết lúc", "Chết ngày"],
                      "abbr": ["Ng. chết", "Ngày chết"], "en": ["Date of death"]},
    "place_of_death": {"std": ["Nơi chết"], "inverted": ["Chết tại"], "abbr": ["Nơi chết"], "en": ["Place of death"]},
    "cause": {"std": ["Nguyên nhân chết"], "inverted": ["Chết vì"], "abbr": ["NN chết"], "en": ["Cause of death"]},
    "id_document": {"std": ["Giấy tờ tùy thân", "Giấy tờ tuỳ thân"], "inverted": ["Giấy tờ tùy thân"],
                    "abbr": ["GTTT"], "en": ["Identity document"]},
    "relation": {"std": ["Quan hệ với người được khai sinh", "Quan hệ"], "inverted": ["Là"],
                 "abbr": ["Quan hệ"], "en": ["Relationship"]},
    "date_in_words": {"std": ["ghi bằng chữ", "Bằng chữ"], "inverted": ["Viết bằng chữ"], "abbr": ["Bằng chữ"],
                      "en": ["In words"]},
}
STYLES = ["std", "inverted", "abbr", "bilingual", "mixed"]

# Whose block a run of rows is: the label suffix naming them ('inline'), a block heading ('headed'), a numbered
# section title ('numbered'), the English word of bilingual forms.
OWNERS: dict[str, dict[str, list[str]]] = {
    "mother": {"inline": ["người mẹ", "mẹ"], "headed": ["THÔNG TIN NGƯỜI MẸ", "PHẦN KHAI VỀ NGƯỜI MẸ", "Về người mẹ"],
               "numbered": ["Người mẹ", "Mẹ", "Thông tin về mẹ"], "inverted": ["mẹ"]},
    "father": {"inline": ["người cha", "cha"],
               "headed": ["THÔNG TIN NGƯỜI CHA", "PHẦN KHAI VỀ NGƯỜI CHA", "Về người cha"],
               "numbered": ["Người cha", "Cha", "Thông tin về cha"], "inverted": ["cha"]},
    "husband": {"inline": ["chồng"], "headed": ["BÊN CHỒNG", "THÔNG TIN BÊN CHỒNG", "Người chồng"],
                "numbered": ["Bên chồng", "Chồng", "Người chồng"], "inverted": ["chồng"]},
    "wife": {"inline": ["vợ"], "headed": ["BÊN VỢ", "THÔNG TIN BÊN VỢ", "Người vợ"],
             "numbered": ["Bên vợ", "Vợ", "Người vợ"], "inverted": ["vợ"]},
    "declarant": {"inline": ["người đi khai tử"], "headed": ["NGƯỜI ĐI KHAI TỬ", "Thông tin người đi khai tử"],
                  "numbered": ["Người đi khai tử"], "inverted": ["người đi khai tử"]},
    "applicant": {"inline": ["người yêu cầu", "người đề nghị"],
                  "headed": ["THÔNG TIN NGƯỜI YÊU CẦU", "NGƯỜI ĐỀ NGHỊ", "Phần khai của người yêu cầu"],
                  "numbered": ["Người yêu cầu", "Thông tin người đề nghị"], "inverted": ["người yêu cầu"]},
    "child": {"inline": [], "headed": ["THÔNG TIN NGƯỜI ĐƯỢC KHAI SINH", "Người được khai sinh"],
              "numbered": ["Người được khai sinh", "Thông tin người được khai sinh"], "inverted": []},
    "deceased": {"inline": [], "headed": ["THÔNG TIN NGƯỜI ĐÃ CHẾT", "NGƯỜI CHẾT", "Người đã chết"],
                 "numbered": ["Người đã chết", "Người chết"], "inverted": []},
    "registration": {"inline": [], "headed": ["THÔNG TIN ĐĂNG KÝ", "Đăng ký"],
                     "numbered": ["Thông tin đăng ký", "Đăng ký"], "inverted": []},
}
# How a sentence of a form opens the block of the person it is about, when no heading does.
OPENERS = {"child": ["Đề nghị cơ quan đăng ký khai sinh cho người dưới đây:",
                     "Đề nghị đăng ký khai sinh cho người có tên dưới đây:"],
           "deceased": ["Đề nghị cơ quan đăng ký khai tử cho người có tên dưới đây:",
                        "Đề nghị đăng ký khai tử cho người đã chết có tên dưới đây:"]}
# Other wordings, for a batch (``--wordings holdout``) that tells whether labels are read by what they mean: all but
# a few ('Dân tộc', 'Nguyên quán') are not among the wordings above.
HOLDOUT_VOCAB: dict[str, list[str]] = {
    "full_name": ["Họ tên khai sinh", "Họ và tên khai sinh", "HỌ VÀ TÊN", "Tên khai sinh"],
    "date_of_birth": ["Ngày sinh (ngày/tháng/năm)", "Ngày sinh (dd/mm/yyyy)", "Sinh vào", "NGÀY THÁNG NĂM SINH"],
    "gender": ["Nam/Nữ", "Giới"], "ethnicity": ["DÂN TỘC", "Dân tộc"],
    "nationality": ["Quốc tịch hiện nay", "QUỐC TỊCH"],
    "place_of_birth": ["Nơi sinh ra", "Sinh ra tại"], "hometown": ["Quê gốc", "Nguyên quán"],
    "residence": ["Chỗ ở hiện nay", "Nơi đăng ký thường trú", "Nơi ở hiện nay", "Địa chỉ nơi cư trú"],
    "personal_id": ["Số CMND/CCCD/Hộ chiếu", "Số định danh cá nhân/Số CCCD", "Mã số định danh", "Số CCCD/Căn cước"],
    "phone": ["Số di động", "Điện thoại di động", "ĐTDĐ"], "birth_year": ["NĂM SINH", "Sinh năm"],
    "registration_authority": ["Cơ quan đăng ký hộ tịch", "Nơi đăng ký hộ tịch"],
    "registration_date": ["Ngày đăng ký hộ tịch", "Ngày tháng năm đăng ký"],
    "date_of_death": ["Chết vào hồi", "Ngày giờ chết", "Thời điểm chết"], "place_of_death": ["Nơi mất", "Chết ở"],
    "cause": ["Lý do chết", "Nguyên nhân"], "id_document": ["Loại giấy tờ tùy thân"], "relation": ["Mối quan hệ"],
    "date_in_words": ["Viết bằng chữ"],
}
HOLDOUT_OWNERS: dict[str, dict[str, list[str]]] = {
    "mother": {"inline": ["của mẹ", "bà mẹ"], "headed": ["THÔNG TIN VỀ MẸ", "PHẦN KÊ KHAI VỀ MẸ"],
               "numbered": ["Về mẹ", "Mẹ đẻ"]},
    "father": {"inline": ["của cha", "ông bố", "bố"], "headed": ["THÔNG TIN VỀ CHA", "PHẦN KÊ KHAI VỀ CHA"],
               "numbered": ["Về cha", "Bố đẻ"]},
    "husband": {"inline": ["người chồng"], "headed": ["THÔNG TIN VỀ CHỒNG", "BÊN NAM"], "numbered": ["Bên nam"]},
    "wife": {"inline": ["người vợ"], "headed": ["THÔNG TIN VỀ VỢ", "BÊN NỮ"], "numbered": ["Bên nữ"]},
    "applicant": {"inline": ["người nộp hồ sơ", "người khai"], "headed": ["THÔNG TIN NGƯỜI NỘP HỒ SƠ"],
                  "numbered": ["Người khai"]},
}


def use_holdout() -> None:
    """The held-out wordings in place of the usual ones (every style of a field gets them)."""
    for key, wordings in HOLDOUT_VOCAB.items():
        VOCAB[key] = {style: wordings for style in ("std", "inverted", "abbr")} | {"en": VOCAB[key]["en"]}
    for owner, ways in HOLDOUT_OWNERS.items():
        OWNERS[owner] |= ways


COMPACT = ((13.0, 1.45), (12.0, 1.35), (11.0, 1.25))  # a form's type and line spacing, smaller while it does not fit
ROMAN = ["I", "II", "III", "IV", "V", "VI"]

# OCR-like misprints for a damaged half of a bilingual label.
CONFUSABLE = {"l": "1", "i": "l", "o": "0", "e": "c", "m": "rn", "n": "ri", "u": "v", "a": "o", "h": "b", "t": "f",
              "g": "q", "y": "v", "c": "e", "r": "n", "s": "5", "B": "8", "O": "0", "I": "l"}


@dataclass(frozen=True)
class Options:
    edition: str
    wording: str
    colon: bool
    layout: str
    owners: str
    swapped: bool

    def name(self, prefix: str, *extra: str) -> str:
        parts = [prefix, self.edition, self.wording, "colon" if self.colon else "nocolon", self.layout, self.owners]
        return "-".join(parts + (["swapped"] if self.swapped else []) + list(extra))


@dataclass
class Section:
    """Rows of (field key, value) pairs about one person (``owner``; None: the document's own subject)."""
    owner: str | None
    rows: list[list[tuple[str, str]]]
    numbered_rows: bool = False  # '1. Họ và tên' numbering on each row (criminal records)


@dataclass
class Writer:
    """Labels as a document's options print them: one wording per field key and owner, drawn once."""
    ctx: object
    opts: Options
    _chosen: dict = field(default_factory=dict)

    @property
    def rng(self):
        return self.ctx.rng

    def style(self) -> str:
        return self.opts.wording if self.opts.wording != "mixed" else pick(self.rng, ["std", "inverted", "abbr"])

    def wording(self, key: str) -> str:
        if key not in self._chosen:
            style = self.style()
            vocab = VOCAB[key]
            if style == "bilingual":
                self._chosen[key] = bilingual(self.rng, pick(self.rng, vocab["std"]), pick(self.rng, vocab["en"]))
            else:
                self._chosen[key] = pick(self.rng, vocab.get(style) or vocab["std"])
        return self._chosen[key]

    def label(self, key: str, owner: str | None = None) -> str:
        """A field's label; a person's name label names the person when their block has no heading."""
        if key.startswith("="):
            text = key[1:]
        elif owner and key == "full_name" and self.opts.owners == "inline" and OWNERS[owner]["inline"]:
            text = self.owner_name(owner)
        else:
            text = self.wording(key)
        return text + (":" if self.opts.colon else "")

    def owner_name(self, owner: str) -> str:
        """'Họ, chữ đệm, tên người mẹ': a name label that names whose name it is."""
        cache_key = ("name", owner)
        if cache_key not in self._chosen:
            who = pick(self.rng, OWNERS[owner]["inline"])
            style = self.style()
            if style == "inverted":
                head = pick(self.rng, ["Tên, họ", "Họ tên"])
            elif style == "abbr":
                head = pick(self.rng, ["H.tên", "Họ tên"])
            else:
                head = pick(self.rng, ["Họ, chữ đệm, tên", "Họ và tên", "Họ tên"])
            text = f"{head} {who}"
            if style == "bilingual":
                text = bilingual(self.rng, text, "Full name of " + owner)
            self._chosen[cache_key] = text
        return self._chosen[cache_key]

    def heading(self, owner: str, index: int) -> str | None:
        mode = self.opts.owners
        if mode == "headed":
            return pick(self.rng, OWNERS[owner]["headed"])
        if mode == "numbered":
            mark = pick(self.rng, [f"{ROMAN[index]}.", f"{index + 1}.", f"{'ABCDEF'[index]}."])
            return f"{mark} {pick(self.rng, OWNERS[owner]['numbered'])}"
        return None


def pick(rng, items, weights=None):
    return vn.pick(rng, items, weights)


def chance(rng, p: float) -> bool:
    return vn.chance(rng, p)


def bilingual(rng, vi: str, en: str) -> str:
    """'Họ và tên / Full name', one half (or none) misprinted."""
    form = pick(rng, ["{vi} / {en}", "{vi}/{en}", "{vi} ({en})"])
    which = pick(rng, ["vi", "en", "none"], [2, 2, 1])
    if which == "vi":
        vi = misprint(rng, vi)
    elif which == "en":
        en = misprint(rng, en)
    return form.format(vi=vi, en=en)


def misprint(rng, text: str) -> str:
    """``text`` as OCR misreads small print: marks lost, letters confused or dropped (two changes at least)."""
    import unicodedata
    chars = list(text)
    letters = [i for i, c in enumerate(chars) if c.isalpha()]
    if not letters:
        return text
    count = max(2, len(letters) // 4)
    for i in sorted(rng.choice(letters, size=min(count, len(letters)), replace=False), reverse=True):
        c = chars[i]
        base = unicodedata.normalize("NFD", c)[0]
        roll = rng.random()
        if roll < 0.4 and base != c:
            chars[i] = base
        elif roll < 0.85:
            chars[i] = CONFUSABLE.get(base, base)
        else:
            del chars[i]
    return "".join(chars)


# --------------------------------------------------------------------------- options


def draw_options(ctx, editions: list[str], owners: list[str] | None = None) -> Options:
    """A document's options; only 'Label: value' lines when its first draw did not fit the file's page budget."""
    rng = ctx.rng
    layout = pick(rng, ["lines", "tabs", "table", "low"], [3, 2, 2, 2])
    if getattr(ctx, "compact", 0):
        layout = "lines"
    colon = layout == "lines" and chance(rng, 0.8) or layout != "lines" and chance(rng, 0.4)
    return Options(pick(rng, editions), pick(rng, STYLES, [2, 2, 2, 1.5, 1.5]), colon, layout,
                   pick(rng, owners or ["inline", "headed", "numbered"]), chance(rng, 0.5))


# --------------------------------------------------------------------------- blocks


def ruled_row(kit, cells: list[list], widths: list[float], valign: list[str], min_lines: int = 1, spacing=1.2):
    """A ruled row whose cells wrap; each cell's text at its top, middle or bottom; lines read across by height."""
    padding = kit.px(1.2)
    wrapped = [layout.wrap(kit, runs, w - 2 * padding) if runs else [] for runs, w in zip(cells, widths, strict=True)]
    styles = [s for runs in cells for _, s in runs] or [layout.BODY]
    pitch = max(kit.pitch(s, spacing) for s in styles)
    n_lines = max(min_lines, *(len(w) for w in wrapped))
    height = n_lines * pitch + padding
    ops, placed, x = [], [], 0.0
    stroke = max(1.0, kit.px(0.2))
    for lines, w, where in zip(wrapped, widths, valign, strict=True):
        ops.append(("rect", x, 0.0, (w, height, stroke)))
        offset = {"top": 0.0, "middle": (n_lines - len(lines)) * pitch / 2, "bottom": (n_lines - len(lines)) * pitch}
        for i, words in enumerate(lines):
            y = padding / 2 + offset[where] + pitch * (i + 0.78)
            ops += layout.set_line(kit, words, w - 2 * padding, "left", True, y, x + padding)
            placed.append((y, x, layout.line_text(words)))
        x += w
    return layout.Chunk(height, ops, _lines_by_height(placed, pitch))


def _lines_by_height(placed: list[tuple[float, float, str]], pitch: float) -> list[str]:
    lines: list[list[tuple[float, float, str]]] = []
    for item in sorted(placed):
        if lines and item[0] - lines[-1][0][0] < pitch / 2:
            lines[-1].append(item)
        else:
            lines.append([item])
    return [" ".join(t for _, _, t in sorted(line, key=lambda p: p[1])) for line in lines]


@dataclass
class RuledForm:
    """Label/value rows in a ruled table: headings span the row; ``low`` narrows the label column, so labels wrap,
    and sets values lower in their cells."""
    rows: list  # ('heading', text) | ('pair', label, value) | ('triple', label, value, value)
    low: bool = False
    label_frac: float = 0.4
    value_valign: str = "top"
    before: float = 0.0
    after: float = 0.0

    def chunks(self, kit, width: float) -> list:
        out = []
        for row in self.rows:
            if row[0] == "heading":
                out.append(ruled_row(kit, [[(row[1], layout.BOLD)]], [width], ["top"]))
            elif row[0] == "pair":
                widths = [width * self.label_frac, width * (1 - self.label_frac)]
                cells = [[(row[1], layout.BODY)], [(row[2], layout.BOLD)] if row[2] else []]
                out.append(ruled_row(kit, cells, widths, ["top", self.value_valign], 2 if self.low else 1))
            else:
                widths = [width * 0.3, width * 0.35, width * 0.35]
                cells = [[(row[1], layout.BODY)], [(row[2], layout.BOLD)], [(row[3], layout.BOLD)]]
                out.append(ruled_row(kit, cells, widths, ["top", self.value_valign, self.value_valign]))
        return layout.pad(out, kit, self.before, self.after)


@dataclass
class TabForm:
    """'Label     value' rows: every value starts at one tab stop, wrapping under itself."""
    rows: list  # ('heading', text) | ('pair', label, value)
    tab: float = 0.38
    spacing: float = 1.45

    def chunks(self, kit, width: float) -> list:
        out = []
        for row in self.rows:
            if row[0] == "heading":
                out += layout.text_chunks(kit, [(row[1], layout.BOLD)], width, spacing=self.spacing)
                continue
            _, label, value = row
            tab = width * self.tab
            label_lines = layout.wrap(kit, [(label, layout.BODY)], tab - kit.px(2))
            value_lines = layout.wrap(kit, [(value, layout.BOLD)], width - tab)
            pitch = kit.pitch(layout.BOLD, self.spacing)
            for i in range(max(len(label_lines), len(value_lines))):
                ops, text = [], []
                for lines, x0, w in ((label_lines, 0.0, tab), (value_lines, tab, width - tab)):
                    if i < len(lines):
                        ops += layout.set_line(kit, lines[i], w, "left", True, pitch * 0.78, x0)
                        text.append(layout.line_text(lines[i]))
                out.append(layout.Chunk(pitch, ops, [" ".join(text)]))
        return out


def form_blocks(w: Writer, sections: list[Section], titles: dict[str, str] | None = None) -> list:
    """The sections as the document's layout prints them, each person's block under its heading where it has one."""
    rows = _form_rows(w, sections, titles or {})
    if w.opts.layout == "lines":
        return _line_blocks(w, rows)
    flat = [item for r in rows for item in ([r] if r[0] == "heading" else [("pair", *pair) for pair in r[1]])]
    if w.opts.layout == "tabs":
        return [TabForm(flat, tab=float(w.rng.uniform(0.3, 0.42)))]
    low = w.opts.layout == "low"
    return [RuledForm(flat, low, float(w.rng.uniform(0.22, 0.3)) if low else 0.4,
                      pick(w.rng, ["bottom", "middle"]) if low else "top", before=1, after=2)]


def _form_rows(w: Writer, sections: list[Section], titles: dict[str, str]) -> list:
    """('heading', text) and ('row', [(label, value), ...]) items, in print order."""
    rows: list = []
    for index, section in enumerate(sections):
        heading = titles.get(section.owner or "")
        if heading is None and section.owner:
            heading = w.heading(section.owner, index)
        if heading:
            rows.append(("heading", heading))
        for k, row in enumerate(section.rows):
            pairs = [(w.label(key, section.owner), value) for key, value in row]
            if section.numbered_rows:
                pairs[0] = (f"{k + 1}. {pairs[0][0]}", pairs[0][1])
            rows.append(("row", pairs))
    return rows


def _line_blocks(w: Writer, rows: list) -> list:
    """'Label: value' lines (pairs of a row at tab stops), headings in bold between them."""
    size, spacing = COMPACT[getattr(w.ctx, "compact", 0)]
    label, value = layout.BODY.but(size=size), layout.BOLD.but(size=size)
    blocks, line_rows = [], []
    for row in rows:
        if row[0] == "row":
            line_rows.append(row[1])
            continue
        if line_rows:
            blocks.append(layout.Form(line_rows, label, value, spacing=spacing))
            line_rows = []
        blocks.append(layout.Text(row[1], value, before=1.5))
    if line_rows:
        blocks.append(layout.Form(line_rows, label, value, spacing=spacing))
    return blocks


def side_by_side(w: Writer, keys: list[str], left: dict[str, str], right: dict[str, str], heads: tuple[str, str],
                 swapped: bool) -> list:
    """A 'Chồng | Vợ' table: one row per field, each person's value in their column."""
    (a, b), (va, vb) = (heads, (left, right)) if not swapped else ((heads[1], heads[0]), (right, left))
    rows = [("triple", "", a, b)] + [("triple", w.label(k), va[k], vb[k]) for k in keys]
    return [RuledForm(rows, before=1, after=2)]


# --------------------------------------------------------------------------- civil status papers


def _number_block(ctx, number: str, book: str) -> list:
    return [T.Text(f"Số: {number}", align="center"), T.Text(f"Quyển số: {book}", align="center")]


def _parent(key: str, p, with_id: bool) -> Section:
    rows = [[("full_name", p.name.upper())],
            [("birth_year", str(p.born.year)), ("ethnicity", p.ethnicity), ("nationality", "Việt Nam")],
            [("residence", p.residence.full())]]
    if with_id:
        rows.append([("personal_id", p.personal_id)])
    return Section(key, rows)


def _split_rows(opts: Options, rows: list) -> list:
    """Several pairs share a line only in 'Label: value' lines."""
    return rows if opts.layout == "lines" else [[pair] for row in rows for pair in row]


def birth_certificate(ctx) -> T.Document:
    rng = ctx.rng
    opts = draw_options(ctx, ["tt04", "tt15", "tt08"])
    w = Writer(ctx, opts)
    born = vn.random_date(rng, dt.date(1975, 1, 1), dt.date(2023, 12, 31))
    child, mother, father = T.people_family(rng, born)
    office = father.residence.place
    registered = T.days_after(rng, born, 1, 60)
    number, book = T.register_numbers(rng, registered.year)
    auth = T.authority(rng, office, "commune")
    pid = vn.personal_id(rng, office.code, child.gender, born)
    f = {"full_name": child.name.upper(), "date_of_birth": T.iso(born), "gender": child.gender,
         "ethnicity": child.ethnicity, "nationality": "Việt Nam", "place_of_birth": vn.birth_place(rng, office),
         "hometown": father.hometown.full(), "father_name": father.name.upper(), "mother_name": mother.name.upper(),
         "registration_number": number, "book_number": book, "registration_date": T.iso(registered),
         "registration_authority": vn.authority(office)}
    child_rows = [[("full_name", f["full_name"])], [("date_of_birth", ctx.date(born))],
                  [("gender", child.gender), ("ethnicity", child.ethnicity), ("nationality", "Việt Nam")],
                  [("place_of_birth", f["place_of_birth"])], [("hometown", f["hometown"])]]
    if chance(rng, 0.5):
        child_rows.insert(2, [("date_in_words", vn.date_words(born))])
    if opts.edition != "tt08":  # personal IDs came with the 2015 forms
        f["personal_id"] = pid
        child_rows.append([("personal_id", pid)])
    parents_ids = opts.edition == "tt04" and chance(rng, 0.5)
    parents = [_parent("mother", mother, parents_ids), _parent("father", father, parents_ids)]
    if (opts.edition == "tt08") != opts.swapped:  # 2015 and 2020 forms print the mother first, 2010 ones the father
        parents.reverse()
    subject = Section("child" if opts.owners != "inline" else None, _split_rows(opts, child_rows))
    for p in parents:
        p.rows = _split_rows(opts, p.rows)
    registration = Section("registration" if opts.owners == "numbered" else None,
                           [[("registration_authority", f["registration_authority"])],
                            [("registration_date", ctx.date(registered))]])
    people = [subject, *parents]
    if opts.swapped and opts.owners != "inline":
        people = [*parents, subject]
    blocks = [T.header(auth.lines, "", _number_block(ctx, number, book), []), *T.titled("GIẤY KHAI SINH", size=16),
              *form_blocks(w, [*people, registration]),
              T.signature_row(ctx, T.registrar(ctx, "NGƯỜI KÝ GIẤY KHAI SINH"))]
    extra = ["parentids"] if parents_ids else []
    return T.Document("birth_certificate", opts.name("gks", *extra), f, [], blocks, stamp_text=auth.stamp)


def marriage_certificate(ctx) -> T.Document:
    rng = ctx.rng
    opts = draw_options(ctx, ["tt04", "tt15", "tt08"], ["inline", "headed", "numbered", "sidebyside"])
    w = Writer(ctx, opts)
    registered = vn.random_date(rng, dt.date(2000, 1, 1), T.TODAY)
    husband = vn.person(rng, dt.date(1950, 1, 1), registered - dt.timedelta(days=365 * 20), "Nam")
    wife = vn.person(rng, husband.born - dt.timedelta(days=365 * 5), registered - dt.timedelta(days=365 * 18), "Nữ")
    office = pick(rng, [husband.residence.place, wife.residence.place])
    number, book = T.register_numbers(rng, registered.year)
    auth = T.authority(rng, office, "commune")
    f = {"husband_name": husband.name.upper(), "husband_date_of_birth": T.iso(husband.born),
         "husband_personal_id": husband.personal_id, "wife_name": wife.name.upper(),
         "wife_date_of_birth": T.iso(wife.born), "wife_personal_id": wife.personal_id,
         "registration_number": number, "book_number": book, "registration_date": T.iso(registered),
         "registration_authority": vn.authority(office)}
    registration = Section("registration" if opts.owners == "numbered" else None,
                           [[("registration_authority", f["registration_authority"])],
                            [("registration_date", ctx.date(registered))]])
    if opts.owners == "sidebyside":
        values = [{"full_name": p.name.upper(), "date_of_birth": ctx.date(p.born), "ethnicity": p.ethnicity,
                   "nationality": "Việt Nam", "residence": p.residence.full(), "personal_id": p.personal_id}
                  for p in (husband, wife)]
        heads = pick(rng, [("Chồng", "Vợ"), ("CHỒNG", "VỢ"), ("Bên chồng", "Bên vợ")])
        form = side_by_side(w, ["full_name", "date_of_birth", "ethnicity", "nationality", "residence", "personal_id"],
                            values[0], values[1], heads, opts.swapped)
        form += form_blocks(w, [registration])
    else:
        spouses = []
        for key, p in (("husband", husband), ("wife", wife)):
            rows = [[("full_name", p.name.upper())], [("date_of_birth", ctx.date(p.born))],
                    [("ethnicity", p.ethnicity), ("nationality", "Việt Nam")], [("residence", p.residence.full())],
                    [("personal_id", p.personal_id)]]
            spouses.append(Section(key, _split_rows(opts, rows)))
        if opts.swapped:
            spouses.reverse()
        form = form_blocks(w, [*spouses, registration])
    blocks = [T.header(auth.lines, "", _number_block(ctx, number, book), []),
              *T.titled("GIẤY CHỨNG NHẬN KẾT HÔN", size=16), *form,
              T.signature_row(ctx, T.registrar(ctx, "NGƯỜI KÝ GIẤY CHỨNG NHẬN KẾT HÔN"), before=3)]
    return T.Document("marriage_certificate", opts.name("gcnkh"), f, [], blocks, stamp_text=auth.stamp)


def death_extract(ctx) -> T.Document:
    rng = ctx.rng
    opts = draw_options(ctx, ["tt04", "tt15", "tt08"])
    w = Writer(ctx, opts)
    died = vn.random_date(rng, dt.date(2005, 1, 1), T.TODAY)
    dead = vn.person(rng, dt.date(1920, 1, 1), died - dt.timedelta(days=365 * 30))
    office = dead.residence.place
    registered = T.days_after(rng, died, 1, 15)
    number, book = T.register_numbers(rng, registered.year)
    auth = T.authority(rng, office, "commune")
    place_of_death = (f"Tại nhà, {dead.residence.full()}" if chance(rng, 0.6)
                      else f"Bệnh viện Đa khoa {office.province_name()}, {office.province}")
    f = {"full_name": dead.name.upper(), "date_of_birth": T.iso(dead.born), "personal_id": dead.personal_id,
         "date_of_death": T.iso(died), "place_of_death": place_of_death, "registration_number": number,
         "book_number": book, "registration_date": T.iso(registered), "registration_authority": vn.authority(office)}
    hour, minute = int(rng.integers(0, 24)), int(rng.integers(0, 60))
    declarant = vn.person(rng, gender=pick(rng, ["Nam", "Nữ"]), surname=dead.name.split()[0])
    rows = [[("full_name", f["full_name"])], [("date_of_birth", ctx.date(dead.born))],
            [("gender", dead.gender), ("ethnicity", dead.ethnicity), ("nationality", "Việt Nam")],
            [("personal_id", dead.personal_id)],
            [("date_of_death", f"{hour} giờ {minute:02d} phút, ngày {ctx.date(died)}")],
            [("place_of_death", place_of_death)], [("cause", pick(rng, T.CAUSES))]]
    declarant_rows = [[("full_name", declarant.name.upper())]]
    declarant_ids = chance(rng, 0.6)
    if declarant_ids:
        declarant_rows.append([("personal_id", declarant.personal_id)])
    declarant_rows.append([("=Quan hệ với người chết" if opts.wording != "bilingual" else "=Quan hệ / Relationship",
                            pick(rng, ["Con", "Vợ", "Chồng", "Cháu"]))])
    sections = [Section("deceased" if opts.owners != "inline" else None, _split_rows(opts, rows)),
                Section("declarant", _split_rows(opts, declarant_rows))]
    if opts.swapped and opts.owners != "inline":
        sections.reverse()
    registration = Section("registration" if opts.owners == "numbered" else None,
                           [[("registration_authority", f["registration_authority"])],
                            [("registration_date", ctx.date(registered))]])
    blocks = [T.header(auth.lines, "", _number_block(ctx, number, book), []),
              *T.titled("TRÍCH LỤC KHAI TỬ", size=16, after=0),
              T.Text(pick(rng, ["(Bản chính)", "(Bản sao)"]), T.ITALIC, align="center", after=3),
              *form_blocks(w, [*sections, registration]),
              T.signature_row(ctx, T.registrar(ctx, "NGƯỜI KÝ TRÍCH LỤC"))]
    extra = ["declarantid"] if declarant_ids else []
    return T.Document("death_extract", opts.name("tlkt", *extra), f, [], blocks, stamp_text=auth.stamp)


def criminal_record(ctx) -> T.Document:
    rng = ctx.rng
    opts = draw_options(ctx, ["tt13", "tt06"], ["inline"])
    w = Writer(ctx, opts)
    who = vn.person(rng, dt.date(1960, 1, 1), dt.date(2005, 12, 31))
    office = who.residence.place
    issued = vn.random_date(rng, dt.date(2016, 1, 1), T.TODAY)
    number = f"{int(rng.integers(100, 9999))}/{pick(rng, ['STP-LLTP', 'LLTP', 'TTLLTP'])}"
    father = vn.full_name(rng, "Nam", surname=who.name.split()[0])
    mother = vn.full_name(rng, "Nữ")
    card_from = max(dt.date(2016, 1, 1), vn.add_years(who.born, 14))
    f = {"full_name": who.name.upper(), "date_of_birth": T.iso(who.born), "personal_id": who.personal_id,
         "place_of_birth": who.hometown.full(), "record_number": number, "issue_date": T.iso(issued)}
    id_row = [("personal_id", who.personal_id)]
    with_card_date = card_from < issued and chance(rng, 0.5)
    if with_card_date:  # the card's own issue date, which is not the record's
        id_row.append(("=" + pick(rng, ["Cấp ngày", "Ngày cấp"]), vn.dmy(vn.random_date(rng, card_from, issued))))
    parents = [[("=" + w.owner_name("father"), father.upper())], [("=" + w.owner_name("mother"), mother.upper())]]
    rows = [[("full_name", f["full_name"])], [("gender", who.gender)], [("date_of_birth", ctx.date(who.born))],
            [("place_of_birth", f["place_of_birth"])], [("nationality", "Việt Nam")],
            [("residence", who.residence.full())], id_row, *(parents[::-1] if opts.swapped else parents)]
    if chance(rng, 0.5):
        parent, lines = "UBND " + office.province.upper(), ["SỞ TƯ PHÁP"]
    else:
        parent, lines = "", ["SỞ TƯ PHÁP", office.province.upper()]
    blocks = [T.header(lines, parent, [T.Text(f"Số: {number}", align="center")],
                       [T.dateline(vn.dateline(office.province_name(), issued))]),
              *T.titled("PHIẾU LÝ LỊCH TƯ PHÁP SỐ " + pick(rng, ["1", "2"]), size=15),
              T.Text("Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;", T.ITALIC, align="justify",
                     first_indent=10),
              T.Text("XÁC NHẬN:", T.BOLD, align="center", before=2, after=2),
              *form_blocks(w, [Section(None, _split_rows(opts, rows), numbered_rows=chance(rng, 0.7))]),
              T.Text("Tình trạng án tích: Không có án tích", T.BODY, before=2),
              T.signature_row(ctx, T.Signer(pick(rng, [["GIÁM ĐỐC"], ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]]),
                                            vn.full_name(rng, "Nam"), seed=ctx.seed()))]
    extra = ["carddate"] if with_card_date else []
    return T.Document("criminal_record", opts.name("lltp", *extra), f, [], blocks,
                      stamp_text=f"SỞ TƯ PHÁP {office.province.upper()}")


# --------------------------------------------------------------------------- application forms

PROCEDURES = [("TỜ KHAI", "Đăng ký khai sinh", "child"), ("TỜ KHAI", "Đăng ký khai tử", "deceased"),
              ("TỜ KHAI YÊU CẦU", "Cấp Phiếu lý lịch tư pháp", None),
              ("ĐƠN ĐỀ NGHỊ", "Cấp đổi giấy phép lái xe", None), ("TỜ KHAI", "Cấp bản sao trích lục hộ tịch", None),
              ("ĐƠN ĐỀ NGHỊ", "Cấp bản sao trích lục hộ tịch", None)]


def application_form(ctx) -> T.Document:
    rng = ctx.rng
    opts = draw_options(ctx, ["tt04", "onestop", "eform"])
    w = Writer(ctx, opts)
    prefix, procedure, other = pick(rng, PROCEDURES)
    applicant = vn.person(rng, dt.date(1955, 1, 1), dt.date(2004, 12, 31))
    office = applicant.residence.place
    submitted = vn.random_date(rng, dt.date(2016, 1, 1), T.TODAY)
    phone = pick(rng, ["09", "03", "08", "07"]) + vn.digits(rng, 8)
    f = {"applicant_name": applicant.name.upper(), "personal_id": applicant.personal_id, "procedure_name": procedure,
         "submission_date": T.iso(submitted), "phone": phone}
    rows = [[("full_name", f["applicant_name"])], [("date_of_birth", ctx.date(applicant.born))],
            [("residence", applicant.residence.full())], [("id_document", "Căn cước công dân")],
            [("personal_id", applicant.personal_id)], [("phone", phone)]]
    if chance(rng, 0.5):
        rows[1:] = [rows[k] for k in rng.permutation(len(rows) - 1) + 1]
    sections = [Section("applicant", rows)]
    titles = {}
    if other == "child":
        born = T.days_after(rng, submitted - dt.timedelta(days=50), 0, 45)
        child = vn.person(rng, born, born, surname=applicant.name.split()[0])
        rows = [[("full_name", child.name.upper())], [("date_of_birth", ctx.date(born))], [("gender", child.gender)],
                [("place_of_birth", vn.birth_place(rng, office))]]
        sections.append(Section("child", rows))
        sections[0].rows.append([("relation", pick(rng, ["Cha", "Mẹ"]))])
    elif other == "deceased":
        died = submitted - dt.timedelta(days=int(rng.integers(1, 30)))
        dead = vn.person(rng, dt.date(1925, 1, 1), died - dt.timedelta(days=365 * 40))
        rows = [[("full_name", dead.name.upper())], [("date_of_birth", ctx.date(dead.born))],
                [("personal_id", dead.personal_id)], [("date_of_death", ctx.date(died))]]
        sections.append(Section("deceased", rows))
    if other and opts.owners == "inline":
        titles[other] = pick(rng, OPENERS[other])
    if other and opts.swapped:
        sections.reverse()
    pledge = ("Tôi cam đoan những nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật "
              "về lời khai của mình.")
    signer = T.Signer(["Người yêu cầu"], applicant.name, note="(Ký, ghi rõ họ, chữ đệm, tên)", seed=ctx.seed())
    if opts.edition == "eform":
        when = pick(rng, [f"Ngày nộp hồ sơ: {vn.dmy(submitted)}",
                          f"{office.commune_name()}, ngày {vn.dmy(submitted)}",
                          f"Ngày nộp: {vn.dmy(submitted)}"])
    else:
        when = pick(rng, [f"Làm tại: {vn.dateline(office.commune_name(), submitted)}",
                          vn.dateline(office.commune_name(), submitted)])
    blocks = [*T.motto_only(), *T.titled(f"{prefix} {procedure.upper()}", size=15),
              T.Text([("Kính gửi: ", T.BOLD), (vn.authority(office), T.BODY)], align="center", after=3),
              *form_blocks(w, sections, titles),
              T.Text(pledge, T.BODY, align="justify", first_indent=10, before=2),
              T.Columns([(0.0, 0.4, []), (0.4, 0.6, [T.dateline(when), signer])], before=4)]
    extra = [other] if other else []
    return T.Document("application_form", opts.name("tk", *extra), f, [], blocks)


# --------------------------------------------------------------------------- land


def land_use_certificate(ctx) -> T.Document:
    rng = ctx.rng
    opts = draw_options(ctx, ["gcn2009", "gcn2014", "gcn2019"], ["inline"])
    w = Writer(ctx, opts)
    owner = vn.person(rng, dt.date(1940, 1, 1), dt.date(1995, 12, 31))
    spouse = vn.person(rng, gender="Nữ" if owner.gender == "Nam" else "Nam")
    parcel_place = owner.residence.place
    issued = vn.random_date(rng, dt.date(2010, 1, 1), T.TODAY)
    area = round(float(rng.uniform(45, 2500)), 1)
    serial = pick(rng, ["BĐ", "CS", "CH", "AK", "BX", "CY"]) + " " + vn.digits(rng, 6)
    parcel, sheet = str(int(rng.integers(1, 900))), str(int(rng.integers(1, 60)))
    address = vn.address(rng, parcel_place).full()
    f = {"certificate_number": serial, "owner_name": owner.name.upper(), "personal_id": owner.personal_id,
         "parcel_number": parcel, "map_sheet_number": sheet, "area_m2": f"{area:.1f}", "address": address,
         "issue_date": T.iso(issued)}
    he = owner.gender == "Nam"
    honorific = pick(rng, ["Ông", "Hộ ông"] if he else ["Bà", "Hộ bà"])
    owners = [[(f"={honorific}", f["owner_name"]), ("birth_year", str(owner.born.year))],
              [("=" + pick(rng, ["CCCD số", "Số CCCD", "Số định danh cá nhân", "CMND số"]), owner.personal_id)],
              [("residence", owner.residence.full())]]
    co_owner = chance(rng, 0.6)
    if co_owner:
        spouse_label = pick(rng, ["Và vợ là bà", "Vợ: Bà", "Cùng vợ là bà"] if he else
                                 ["Và chồng là ông", "Chồng: Ông", "Cùng chồng là ông"])
        owners += [[(f"={spouse_label}", spouse.name.upper()), ("birth_year", str(spouse.born.year))],
                   [("=" + pick(rng, ["CCCD số", "Số CCCD"]), spouse.personal_id)]]
    parcel_label = pick(rng, ["Thửa đất số", "Số thửa", "Số thửa đất"])
    sheet_label = pick(rng, ["Tờ bản đồ số", "Số tờ bản đồ", "Tờ bản đồ"])
    area_label = pick(rng, ["Diện tích", "Diện tích đất", "Diện tích sử dụng"])
    address_label = pick(rng, ["Địa chỉ", "Địa chỉ thửa đất", "Vị trí thửa đất"])
    parcel_rows = [[(f"={parcel_label}", parcel), (f"={sheet_label}", sheet)], [(f"={address_label}", address)],
                   [(f"={area_label}", f"{T.vn_decimal(area)} m²")], [("=Hình thức sử dụng", "Sử dụng riêng")],
                   [("=Mục đích sử dụng", pick(rng, T.PURPOSES))], [("=Thời hạn sử dụng", "Lâu dài")]]
    parcel_rows = _split_rows(opts, parcel_rows)
    lettered = [[(f"={'abcdđeg'[k]}) {row[0][0][1:]}", row[0][1]), *row[1:]] for k, row in enumerate(parcel_rows)]
    auth = (T.authority(rng, parcel_place, "district") if chance(rng, 0.5)
            else T.department(parcel_place, "Sở Tài nguyên và Môi trường", "STNMT"))
    title = ["GIẤY CHỨNG NHẬN", "QUYỀN SỬ DỤNG ĐẤT"]
    if opts.edition != "gcn2009":
        title += ["QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT"]
    owner_title = pick(rng, ["I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
                             "1. Người sử dụng đất", "I. NGƯỜI SỬ DỤNG ĐẤT"])
    parcel_title = pick(rng, ["II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", "2. Thửa đất",
                              "II. THỬA ĐẤT ĐƯỢC CẤP GIẤY CHỨNG NHẬN"])
    blocks = [*T.motto_only(), *T.titled(*title, size=15, color=T.RED),
              T.Text(owner_title, T.BOLD, after=1), *form_blocks(w, [Section(None, _split_rows(opts, owners))]),
              T.Text(parcel_title, T.BOLD, before=3, after=1), *form_blocks(w, [Section(None, lettered)]),
              T.Columns([(0.0, 0.45, [T.Text(f"Số vào sổ cấp GCN: CS{vn.digits(rng, 5)}", T.Style(size=12),
                                             before=22),
                                      T.Text(serial, T.Style(size=14, bold=True, color=T.RED), before=6)]),
                         (0.45, 0.55, [T.dateline(vn.dateline(auth.where, issued)), T.official(ctx, auth)])],
                        before=5)]
    extra = ["coowner"] if co_owner else []
    return T.Document("land_use_certificate", opts.name("gcn", *extra), f, [], blocks, stamp_text=auth.stamp)


# --------------------------------------------------------------------------- cards

CARD_EN = {"number": "No.", "full_name": "Full name", "date_of_birth": "Date of birth", "gender": "Sex",
           "nationality": "Nationality", "hometown": "Place of origin", "residence": "Place of residence",
           "expiry": "Date of expiry", "class": "Class", "issue": "Date of issue"}
CARD_VI = {"number": ["Số"], "full_name": ["Họ và tên", "Họ, chữ đệm và tên khai sinh", "Họ tên"],
           "date_of_birth": ["Ngày, tháng, năm sinh", "Ngày sinh"], "gender": ["Giới tính"],
           "nationality": ["Quốc tịch"], "hometown": ["Quê quán"], "residence": ["Nơi thường trú", "Nơi cư trú"],
           "expiry": ["Có giá trị đến", "Ngày, tháng, năm hết hạn"], "class": ["Hạng"],
           "issue": ["Ngày, tháng, năm cấp"]}


@dataclass
class CardLabels:
    """A card's labels: bilingual or not, one half misprinted ('damaged'), too faint to read ('faded')."""
    rng: object
    english: bool
    damaged: bool
    faded: bool
    colon: bool
    sep: str = " / "  # PET licences print 'Số/No:' without spaces
    _chosen: dict = field(default_factory=dict)

    def text(self, key: str) -> str:
        if key not in self._chosen:
            vi, en = pick(self.rng, CARD_VI[key]), CARD_EN[key]
            if self.damaged:
                if chance(self.rng, 0.5):
                    vi = misprint(self.rng, vi)
                else:
                    en = misprint(self.rng, en)
            text = f"{vi}{self.sep}{en}" if self.english else vi
            self._chosen[key] = text + (":" if self.colon else "")
        return self._chosen[key]

    def style(self, base):
        return base.but(color=(196, 204, 210)) if self.faded else base


def _pair(page, labels: CardLabels, x: float, y: float, key: str, value: str, value_style, max_w: float = 58.0):
    label = labels.text(key)
    lw = page.kit.width(label + " ", T.SANS) * 25.4 / page.kit.dpi
    page.put_text(x, y, label, labels.style(T.SANS), record=False)
    page.put_text(x + lw, y, value, value_style, max_w=max_w - lw, record=False)
    page.lines.append(f"{label} {value}")


def draw_card_front(p, expiry, labels: CardLabels, edition: str, page) -> None:
    """The front of a citizen ID card (2016 barcode card, 2021 chip card, 2024 'Căn cước')."""
    page.put("guilloche", 0, 0, 85.6, 54, extra=((205, 222, 230),))
    T.card_header(page, 47, english=edition != "cccd2016")
    title = "CĂN CƯỚC" if edition == "cc2024" else "CĂN CƯỚC CÔNG DÂN"
    page.put_text(47, 18.2, title, T.Style(size=8, role="sans", bold=True, color=T.RED), "center")
    if edition != "cccd2016":
        page.put_text(47, 21.3, "IDENTITY CARD" if edition == "cc2024" else "Citizen Identity Card",
                      T.Style(size=5, role="sans", italic=True), "center")
    page.put("photo", 3.5, 17, 18, 23)
    small = labels.style(T.SANS)
    _pair(page, labels, 24, 26.0, "number", p.personal_id, T.Style(size=8, role="sans", bold=True))
    page.put_text(24, 29.6, labels.text("full_name"), small)
    page.put_text(24, 33.0, p.name.upper(), T.Style(size=7, role="sans", bold=True), max_w=60)
    _pair(page, labels, 24, 36.4, "date_of_birth", vn.dmy(p.born), T.SANS_BOLD)
    gender, nation = labels.text("gender"), labels.text("nationality")
    page.put_text(24, 39.6, gender, small, record=False)
    gw = page.kit.width(gender + " ", T.SANS) * 25.4 / page.kit.dpi
    page.put_text(24 + gw, 39.6, p.gender, T.SANS_BOLD, record=False)
    page.put_text(52, 39.6, nation, small, max_w=24, record=False)
    nw = min(24.0, page.kit.width(nation + " ", T.SANS) * 25.4 / page.kit.dpi)
    page.put_text(52 + nw, 39.6, "Việt Nam", T.SANS_BOLD, max_w=84 - 52 - nw, record=False)
    page.lines.append(f"{gender} {p.gender} {nation} Việt Nam")
    if edition == "cc2024":
        return
    page.put_text(24, 42.8, labels.text("hometown"), small)
    page.put_text(24, 45.9, p.hometown.short(), T.SANS_BOLD, max_w=60)
    page.put_text(24, 49.1, labels.text("residence"), small, max_w=60)
    page.put_text(24, 52.2, p.residence.short(), T.SANS_BOLD, max_w=60)
    if expiry:
        page.put_text(3.5, 44.0, labels.text("expiry"), labels.style(T.Style(size=4.3, role="sans")), max_w=19)
        page.put_text(3.5, 49.6, vn.dmy(expiry), T.Style(size=5.2, role="sans", bold=True))


def draw_card_back(p, issued, expiry, labels: CardLabels, edition: str, seed: int, page) -> None:
    small = T.Style(size=4.3, role="sans")
    if edition == "cc2024":
        page.put("qr", 3, 3, 13, extra=(f"{p.personal_id}|{vn.ascii_fold(p.name)}|{p.born:%d%m%Y}",))
        page.put_text(19, 5.5, labels.text("residence"), labels.style(T.SANS))
        for i, line in enumerate(T.split_fit(page, p.residence.full(), T.SANS_BOLD, 62, 62)[:2]):
            page.put_text(19, 8.6 + 3.0 * i, line, T.SANS_BOLD, max_w=63)
        _pair(page, labels, 19, 15.4, "issue", vn.dmy(issued), T.SANS_BOLD, 63)
        if expiry:
            _pair(page, labels, 19, 19.0, "expiry", vn.dmy(expiry), T.SANS_BOLD, 63)
        page.put_text(55, 30.6, "BỘ CÔNG AN", T.Style(size=5.2, role="sans", bold=True), "center")
    else:
        page.put("fingerprint", 3, 3, 15, 17)
        page.put("fingerprint", 20, 3, 15, 17)
        page.put_text(39, 5.5, "Đặc điểm nhân dạng:", small, max_w=45)
        page.put_text(39, 8.6, "Nốt ruồi C:1cm dưới sau mép phải", T.Style(size=4.6, role="sans"), max_w=45)
        page.put_text(39, 12.6, f"Ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}", small, max_w=45)
        head = T.Style(size=4.6, role="sans", bold=True)
        page.put_text(62, 16.2, "CỤC TRƯỞNG CỤC CẢNH SÁT", head, "center", max_w=44)
        page.put_text(62, 18.8, "QUẢN LÝ HÀNH CHÍNH VỀ TRẬT TỰ XÃ HỘI", head, "center", max_w=44)
        page.put("sig", 52, 20.5, 20, 8, extra=(seed,))
    if edition != "cccd2016" and expiry:
        for i, line in enumerate(T.mrz(p, expiry)):
            page.put_text(4, 41.5 + 4.2 * i, line, T.Style(size=7.2, role="mono"), max_w=78)


def citizen_id(ctx) -> T.Document:
    rng = ctx.rng
    edition = pick(rng, ["cccd2016", "cccd2021", "cc2024"])
    start, end = {"cccd2016": (dt.date(2016, 1, 1), dt.date(2020, 12, 31)),
                  "cccd2021": (dt.date(2021, 1, 1), dt.date(2024, 6, 30)),
                  "cc2024": (dt.date(2024, 7, 1), dt.date(2025, 6, 30))}[edition]
    p = vn.person(rng, dt.date(1950, 1, 1), vn.add_years(end, -14))
    issued = vn.random_date(rng, max(start, vn.add_years(p.born, 14)), end)
    expiry = T.card_expiry(p.born, issued)
    expiry = expiry if expiry.year < 9999 else None
    condition = pick(rng, ["plain", "damaged", "faded"], [1, 2, 1])
    labels = CardLabels(rng, edition != "cccd2016", condition == "damaged", condition == "faded",
                        chance(rng, 0.75))
    fields = {"personal_id": p.personal_id, "full_name": p.name.upper(), "date_of_birth": T.iso(p.born),
              "gender": p.gender, "nationality": "Việt Nam"}
    back_fields = {}
    if edition == "cc2024":
        back_fields["place_of_residence"] = p.residence.full()
    else:
        fields |= {"hometown": p.hometown.short(), "place_of_residence": p.residence.short()}
    if expiry:
        (back_fields if edition == "cc2024" else fields)["expiry_date"] = T.iso(expiry)
    front = T.Card(functools.partial(draw_card_front, p, expiry, labels, edition), paper=(226, 238, 242))
    back = T.Card(functools.partial(draw_card_back, p, issued, expiry, labels, edition, ctx.seed()),
                  paper=(232, 236, 240))
    name = "-".join([edition, condition, "colon" if labels.colon else "nocolon"])
    return T.card_document(ctx, "citizen_id", name, fields, front, back, back_fields)


def draw_licence(p, number: str, klass: str, issued, expiry: str, where, signer: str, seed: int,
                 labels: CardLabels, edition: str, page) -> None:
    page.put("guilloche", 0, 0, 85.6, 54, extra=((236, 214, 200),))
    T.card_header(page, 48, english=False)
    page.put_text(48, 12.6, "GIẤY PHÉP LÁI XE", T.Style(size=7.5, role="sans", bold=True, color=T.RED), "center")
    page.put_text(48, 15.6, "DRIVER'S LICENSE", T.Style(size=5.2, role="sans", bold=True, color=T.RED), "center")
    page.put("photo", 3.5, 18, 17, 21)
    _pair(page, labels, 23, 20.0, "number", number, T.Style(size=7, role="sans", bold=True))
    _pair(page, labels, 23, 24.0, "full_name", p.name.upper(), T.SANS_BOLD)
    _pair(page, labels, 23, 27.8, "date_of_birth", vn.dmy(p.born), T.SANS_BOLD)
    _pair(page, labels, 23, 31.6, "nationality", "VIỆT NAM", T.SANS_BOLD)
    _pair(page, labels, 23, 35.4, "residence", p.residence.short(), T.SANS_BOLD)
    _pair(page, labels, 3.5, 43.5, "class", klass, T.Style(size=7, role="sans", bold=True), 24)
    _pair(page, labels, 3.5, 48.5, "expiry", expiry, T.SANS_BOLD, 30)
    small = T.Style(size=4.2, role="sans", italic=True)
    if edition == "pet2013":
        dateline = (f"{where.province_name()}, ngày/date {issued.day:02d} tháng/month {issued.month:02d} "
                    f"năm/year {issued.year}")
    else:
        dateline = f"{where.province_name()}, ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}"
    page.put_text(62, 42.4, dateline, small, "center", max_w=44)
    page.put_text(62, 45.0, "GIÁM ĐỐC SỞ GIAO THÔNG VẬN TẢI", T.Style(size=4.4, role="sans", bold=True), "center",
                  max_w=44)
    page.put("sig", 55, 45.5, 14, 4.5, extra=(seed,))
    page.put_text(62, 52.0, signer, T.Style(size=5, role="sans", bold=True), "center")


def driving_license(ctx) -> T.Document:
    rng = ctx.rng
    edition = pick(rng, ["pet2013", "pet2021"])
    p = vn.person(rng, dt.date(1955, 1, 1), dt.date(2005, 12, 31))
    klass = pick(rng, T.LICENSE_CLASSES, T.LICENSE_CLASSES.values())
    issued = vn.random_date(rng, max(dt.date(2014, 1, 1), vn.add_years(p.born, 18)), T.TODAY)
    years = T.LICENSE_YEARS.get(klass)
    expiry = vn.add_years(issued, years) if years else None
    number = p.hometown.code[1:] + vn.digits(rng, 10)
    fields = {"license_number": number, "full_name": p.name.upper(), "date_of_birth": T.iso(p.born),
              "license_class": klass, "issue_date": T.iso(issued)}
    if expiry:
        fields["expiry_date"] = T.iso(expiry)
    condition = pick(rng, ["plain", "damaged"], [1, 2])
    labels = CardLabels(rng, True, condition == "damaged", False, chance(rng, 0.75), "/" if chance(rng, 0.6) else " / ")
    front = T.Card(functools.partial(draw_licence, p, number, klass, issued,
                                     vn.dmy(expiry) if expiry else "Không thời hạn", p.residence.place,
                                     vn.full_name(rng, "Nam"), ctx.seed(), labels, edition), paper=(244, 226, 214))
    name = "-".join([edition, condition, "colon" if labels.colon else "nocolon"])
    return T.card_document(ctx, "driving_license", name, fields, front, None, {})


def fitted(template):
    """The template drawn again, more compact each time (lines of smaller type), while its document takes more
    pages than its file allows (a PNG or JPEG holds one)."""

    def draw(ctx) -> T.Document:
        families = {"serif": layout.DEJAVU_SERIF, "sans": layout.DEJAVU_SANS, "mono": layout.DEJAVU_MONO}
        for level in range(len(COMPACT)):
            ctx.compact = level
            doc = template(ctx)
            pages = max(len(layout.paginate(doc.blocks, layout.Kit(families, dpi), doc.size_mm, doc.margins))
                        for dpi in (150, 300))
            if pages <= min(ctx.max_pages, 2):
                break
        return doc

    return draw


TEMPLATES = {"birth_certificate": birth_certificate, "marriage_certificate": marriage_certificate,
             "death_extract": death_extract, "criminal_record": criminal_record, "citizen_id": citizen_id,
             "driving_license": driving_license, "land_use_certificate": land_use_certificate,
             "application_form": application_form}


# --------------------------------------------------------------------------- registry and command line


def build_registry(corpus, variants):
    """The shared generator's registry with this batch's salt, resolutions, date formats and form templates only."""
    reg = corpus.default_registry()
    reg.salt = SALT
    reg.dpis = dict(DPIS)
    reg.templates = {doc_type: [(fitted(fn), 1.0)] for doc_type, fn in TEMPLATES.items()}
    for name, entry in variants.DATE_FORMATS.items():
        reg.date_formats.setdefault(name, entry)
    return reg


def _options(argv: list[str]) -> tuple[Path, bool, list[str]]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--bench-dir", type=Path, default=default_bench_dir())
    parser.add_argument("--wordings", choices=["usual", "holdout"], default="usual")
    args, rest = parser.parse_known_args(argv)
    bench = args.bench_dir.resolve()
    if not (bench / "corpus.py").is_file():
        sys.exit(f"no corpus.py in {bench} (give --bench-dir or BENCH_DIR)")
    return bench, args.wordings == "holdout", rest


def main(argv: list[str] | None = None) -> None:
    global T, vn, layout
    bench, holdout, rest = _options(sys.argv[1:] if argv is None else argv)
    sys.path.insert(0, str(bench))
    import corpus  # the generator lives in the bench dir, known only now
    import layout as _layout
    import templates as _templates
    import variants
    import vn as _vn

    T, vn, layout = _templates, _vn, _layout
    registry = build_registry(corpus, variants)
    if holdout:
        use_holdout()
        registry.salt = HOLDOUT_SALT
    corpus.main(rest, registry=registry)


if __name__ == "__main__":
    main()
