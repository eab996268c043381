"""The web interface's gettext catalogs: every message the pages and their code use has its Vietnamese, and the
catalogs hold no message nothing uses any more."""
from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import sohoa.web
from ocr.doctypes import DOC_TYPES, FIELDS, RECORD_FIELDS
from sohoa.web.words import DOC_TYPE_NAMES, FIELD_NAMES

WEB = Path(sohoa.web.__file__).parent
METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "false"}}
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _used() -> dict[str, str]:
    """Each message the web interface uses, and one place it is used."""
    found = {}
    for filename, line, message, _comments, _context in extract_from_dir(WEB, METHODS, OPTIONS, KEYWORDS):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.setdefault(text, f"{filename}:{line}")
    return found


def _vietnamese() -> dict[str, str]:
    translated = {}
    for po in sorted((WEB / "locale" / "vi" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as source:
            for message in read_po(source):
                if message.id:
                    ids = message.id if isinstance(message.id, tuple) else (message.id,)
                    strings = message.string if isinstance(message.string, tuple) else (message.string,)
                    translated.update({i: s for i, s in zip(ids, strings, strict=False)})
    return translated


def test_every_message_has_its_vietnamese() -> None:
    used, translated = _used(), _vietnamese()
    assert len(used) > 20
    missing = {text: where for text, where in used.items() if not translated.get(text)}
    assert not missing, f"no Vietnamese for: {missing}"


def test_the_catalogs_hold_no_message_nothing_uses() -> None:
    unused = sorted(set(_vietnamese()) - set(_used()))
    assert not unused, f"translated but used nowhere: {unused}"


def test_every_document_type_and_field_has_a_name() -> None:
    assert set(DOC_TYPE_NAMES) == set(DOC_TYPES)
    fields = {f for names in (*FIELDS.values(), *RECORD_FIELDS.values()) for f in names} | {"dossier_code",
                                                                                             "result_code"}
    assert fields <= set(FIELD_NAMES)
