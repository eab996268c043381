"""Variant corpus batch: the shared generator with other label wordings, date formats, form layouts and field order.

    python bench/variants.py OUTDIR --docs 60 --seed 3 [--jobs N] [--clean] [--bench-dir ../shared/bench]

Everything after ``--bench-dir`` is corpus.py's own command line, and the output (OUTDIR/input/, OUTDIR/truth.json)
is laid out the same way, so ``score.py`` and ``bench/pipeline.py`` take a variants batch as they take a default one.
``--bench-dir`` defaults to $BENCH_DIR, else ../shared/bench next to the repository.

Starting from ``corpus.default_registry()`` this changes only:

- ``salt``: a variants batch shares no documents with a default batch of the same seed;
- ``shuffle_fields`` 0.5: half of the templates' field groups come in random order;
- ``form_layouts``: label/value forms are printed as 'Label: value' lines or as a ruled two-column table, half each;
- ``date_formats``: besides dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy, d/m/yyyy and '05 tháng 3 năm 1980' (month
  spelled out with its word); they apply wherever a template prints a date through ``Ctx.date`` (form fields of
  the birth, marriage, death, criminal-record and application documents);
- label wordings: alternatives used on older or other official forms (Thông tư 08.a/2010, 15/2015 and 04/2020
  of the Ministry of Justice, one-stop application forms, land certificates, register books).

Truth stays as the contract wants it (ISO dates and so on): the templates record values, not printed text.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from benchdir import default_bench_dir

SALT = 0x56A7  # any value other than the default 0 gives batches unrelated to default ones

# Added to the shared ('*') wordings: every document type without its own list for the key picks among them.
SHARED_LABELS = {
    "full_name": ["Họ và tên:", "Họ tên:", "Họ, chữ đệm và tên:"],
    "date_of_birth": ["Ngày sinh:", "Sinh ngày:"],
    "residence": ["Nơi thường trú:", "Địa chỉ thường trú:", "Hộ khẩu thường trú:", "Nơi thường trú/tạm trú:"],
    "personal_id": ["Số CCCD:", "Số căn cước công dân:", "Số căn cước:"],
    "birth_year": ["Sinh năm:"],
    "registration_authority": ["Cơ quan đăng ký:"],
    "registration_date": ["Ngày đăng ký:"],
    "place_of_birth": ["Sinh tại:"],
    "hometown": ["Nguyên quán:"],
    "phone": ["Điện thoại:", "Điện thoại liên hệ:"],
    # register book column headers
    "col_number": ["STT", "Số TT", "Số thứ tự"],
    "col_date": ["Ngày, tháng, năm đăng ký"],
    "col_name": ["Họ và tên", "Họ tên"],
    "col_birth": ["Ngày, tháng, năm sinh"],
}

# Added to a document type's own wordings (keys that templates.LABELS lists for that type).
TYPE_LABELS = {
    "birth_certificate": {
        "date_in_words": ["Bằng chữ:"],
        "mother_name": ["Họ và tên mẹ:"], "father_name": ["Họ và tên cha:"],
    },
    "marriage_certificate": {"husband_name": ["Họ và tên chồng:"], "wife_name": ["Họ và tên vợ:"]},
    "death_extract": {"declarant": ["Họ và tên người đi khai tử:"]},
    "application_form": {"applicant_name": ["Họ và tên người yêu cầu:", "Tôi tên là:"]},
    "land_use_certificate": {
        "address": ["Địa chỉ thửa đất:"], "purpose": ["Mục đích sử dụng đất:"],
        "book_entry": ["Số vào sổ cấp giấy chứng nhận:"],
    },
    "birth_register_page": {"col_father": ["Họ và tên cha"], "col_mother": ["Họ và tên mẹ"]},
    "marriage_register_page": {"col_husband": ["Họ và tên chồng"], "col_wife": ["Họ và tên vợ"]},
    "death_register_page": {"col_name": ["Họ và tên người chết"], "col_death": ["Ngày, tháng, năm chết"]},
}

# A document type's own list for a shared key replaces the shared list: (wordings added to the shared ones,
# or None for the default wordings only).
TYPE_OVERRIDES = {
    "birth_certificate": {
        "registration_authority": ["Nơi đăng ký khai sinh:"],
        "personal_id": None,  # a newborn has no card: certificates print 'Số định danh cá nhân:'
    },
    "marriage_certificate": {"registration_authority": ["Nơi đăng ký kết hôn:"]},
    "death_extract": {"registration_authority": ["Nơi đăng ký khai tử:"]},
}


# --------------------------------------------------------------------------- dates (all take a datetime.date)


def dmy_dash(d: dt.date) -> str:
    """'05-03-1980'."""
    return f"{d.day:02d}-{d.month:02d}-{d.year}"


def dmy_dot(d: dt.date) -> str:
    """'05.03.1980'."""
    return f"{d.day:02d}.{d.month:02d}.{d.year}"


def dmy_short(d: dt.date) -> str:
    """'5/3/1980', as typed or written by hand on filled-in forms."""
    return f"{d.day}/{d.month}/{d.year}"


def month_words(d: dt.date) -> str:
    """'05 tháng 3 năm 1980' with Decree 30's zero padding (days below 10, months below 3).

    No leading 'ngày': labels say it ('Sinh ngày:') and the death extract prints 'giờ ... phút, ngày <date>'."""
    month = f"{d.month:02d}" if d.month < 3 else str(d.month)
    return f"{d.day:02d} tháng {month} năm {d.year}"


DATE_FORMATS = {"dash": (dmy_dash, 0.6), "dot": (dmy_dot, 0.3), "short": (dmy_short, 0.3),
                "month_words": (month_words, 0.6)}


# --------------------------------------------------------------------------- registry


def _check_key(labels: dict, doc_type: str, key: str) -> None:
    if key not in labels.get(doc_type, {}) and key not in labels["*"]:
        raise KeyError(f"templates.LABELS has no label {key!r} for {doc_type!r}")


def build_registry(corpus, templates):
    """The default registry with this batch's salt, shuffling, layouts, date formats and wordings."""
    reg = corpus.default_registry()
    reg.salt = SALT
    reg.shuffle_fields = 0.5
    if "table" in _form_layouts(corpus):
        reg.form_layouts = {"lines": 1.0, "table": 1.0}
    for name, entry in DATE_FORMATS.items():
        reg.date_formats.setdefault(name, entry)
    for key, wordings in SHARED_LABELS.items():
        _check_key(templates.LABELS, "*", key)
        reg.add_labels("*", key, *wordings)
    for doc_type, keys in TYPE_LABELS.items():
        for key, wordings in keys.items():
            if key not in templates.LABELS.get(doc_type, {}):
                raise KeyError(f"templates.LABELS[{doc_type!r}] has no label {key!r}")
            reg.add_labels(doc_type, key, *wordings)
    for doc_type, keys in TYPE_OVERRIDES.items():
        for key, extra in keys.items():
            _check_key(templates.LABELS, doc_type, key)
            base = reg.labels["*"][key] if extra is not None else templates.LABELS["*"][key]
            reg.set_labels(doc_type, key, *base, *(extra or []))
    return reg


def _form_layouts(corpus) -> set[str]:
    """Layouts layout.Form draws: 'lines' always, 'table' (ruled label/value rows) where layout.py has it."""
    return {"lines"} | ({"table"} if hasattr(corpus.layout.Form, "_table_row") else set())


def _bench_dir(argv: list[str]) -> tuple[Path, list[str]]:
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--bench-dir", type=Path, default=default_bench_dir())
    args, rest = parser.parse_known_args(argv)
    bench = args.bench_dir.resolve()
    if not (bench / "corpus.py").is_file():
        sys.exit(f"no corpus.py in {bench} (give --bench-dir or BENCH_DIR)")
    return bench, rest


def main(argv: list[str] | None = None) -> None:
    bench, rest = _bench_dir(sys.argv[1:] if argv is None else argv)
    sys.path.insert(0, str(bench))
    import corpus  # the generator lives in the bench dir, known only now
    import templates

    corpus.main(rest, registry=build_registry(corpus, templates))


if __name__ == "__main__":
    main()
