"""Full text over folded text: SQLite FTS5 (bm25) or PostgreSQL tsvector (ts_rank), the same two calls for both.

Text is folded in Python before it is indexed or searched, so neither database needs its own diacritics
handling (no ``unaccent`` extension).
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Connection, Float, Integer, Subquery, column, text

from storage.folding import tokens

_FTS5_TERM = re.compile(r"[^\W_]+")


def index_bodies(connection: Connection, bodies: Sequence[tuple[int, str]]) -> None:
    """Index each (documents.pk, text) pair."""
    if not bodies:
        return
    rows = [{"pk": pk, "body": " ".join(tokens(body))} for pk, body in bodies]
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO document_fts (rowid, body) VALUES (:pk, :body)"), rows)
    else:
        connection.execute(text("INSERT INTO document_text (document_pk, body) "
                                "VALUES (:pk, to_tsvector('simple', :body))"), rows)


def body_matches(connection: Connection, pk: int, body: str) -> bool:
    """Whether document ``pk`` is indexed with exactly the text ``body``."""
    folded = " ".join(tokens(body))
    if connection.dialect.name == "sqlite":  # a contentless FTS5 table keeps its terms only: compare them, in order
        connection.execute(text("CREATE VIRTUAL TABLE IF NOT EXISTS temp.document_fts_terms "
                                "USING fts5vocab(main, 'document_fts', 'instance')"))
        terms = connection.scalars(text("SELECT term FROM temp.document_fts_terms WHERE doc = :pk "
                                        "ORDER BY col, offset"), {"pk": pk})
        return " ".join(terms) == " ".join(_FTS5_TERM.findall(folded.lower()))  # unicode61 splits at "_" too
    return bool(connection.scalar(text("SELECT body = to_tsvector('simple', :body) FROM document_text "
                                       "WHERE document_pk = :pk"), {"pk": pk, "body": folded}))


def clear(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(text("INSERT INTO document_fts (document_fts) VALUES ('delete-all')"))
    else:
        connection.execute(text("DELETE FROM document_text"))


def matches(dialect: str, query: str) -> Subquery | None:
    """(pk, rank) of the documents holding every word of ``query``; a lower rank is a better match."""
    words = tokens(query)
    if not words:
        return None
    if dialect == "sqlite":
        sql = text("SELECT rowid AS pk, bm25(document_fts) AS rank FROM document_fts WHERE document_fts MATCH :q")
        sql = sql.bindparams(q=" ".join(f'"{w}"' for w in words))
    else:
        sql = text("SELECT document_pk AS pk, -ts_rank(body, to_tsquery('simple', :q))::float8 AS rank "
                   "FROM document_text WHERE body @@ to_tsquery('simple', :q)")
        sql = sql.bindparams(q=" & ".join(words))
    return sql.columns(column("pk", Integer), column("rank", Float)).subquery("text_match")
