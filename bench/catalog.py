"""Catalog benchmark: search latency over a million generated documents, on SQLite and on PostgreSQL.

    .venv/bin/python bench/catalog.py [--docs 1000000] [--databases sqlite,postgresql] [--queries 200]
        [--sqlite PATH] [--postgres URL-of-a-database-to-create-one-in] [--keep]

Documents (CONTRACT §2 JSON with Vietnamese names drawn from realistic surname, middle and given name lists) are
loaded through the catalog's own bulk indexing (the seconds each 100,000 took are printed and kept), then the
library's ``search`` is timed — audit event included — for a personal-ID lookup and a name search (targets: p95 under
20 ms and 200 ms), and, for information, full text over a person's name. ``bench/search_http.py`` loads its catalog
with ``load`` too.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from storage.catalog import Catalog
from storage.folding import fold
from storage.indexing import StoredDocument, index_documents
from storage.keys import doc_key
from storage.objects import StoredObject
from storage.search import SearchQuery, search

SURNAMES = [("NGUYỄN", 38), ("TRẦN", 11), ("LÊ", 10), ("PHẠM", 7), ("HOÀNG", 5), ("HUỲNH", 4), ("PHAN", 4),
            ("VŨ", 4), ("VÕ", 4), ("ĐẶNG", 2), ("BÙI", 2), ("ĐỖ", 2), ("HỒ", 2), ("NGÔ", 1), ("DƯƠNG", 1), ("LÝ", 1)]
MIDDLE = ["VĂN", "THỊ", "MINH", "NGỌC", "ĐỨC", "THANH", "HỮU", "QUANG", "THU", "HOÀNG", "XUÂN", "KIM", "BẢO", "GIA"]
GIVEN = ["AN", "ANH", "BÌNH", "CHÂU", "CƯỜNG", "DŨNG", "DUNG", "ĐẠT", "ĐÀO", "GIANG", "HÀ", "HẢI", "HẠNH", "HÀO",
         "HIỀN", "HIẾU", "HOA", "HÒA", "HÙNG", "HƯƠNG", "HUY", "KHÁNH", "KHOA", "KHÔI", "LAN", "LINH", "LOAN", "LONG",
         "MAI", "MINH", "MY", "NAM", "NGA", "NGỌC", "NHUNG", "PHONG", "PHÚC", "PHƯƠNG", "QUÂN", "QUANG", "SƠN",
         "TÂM", "THẢO", "THẮNG", "THANH", "THU", "THÚY", "TIẾN", "TRANG", "TRÍ", "TRUNG", "TUẤN", "TÚ", "VÂN", "VIỆT",
         "VINH", "XUÂN", "YẾN", "ÚT", "TÁM"]
AGENCIES = [f"H{p:02d}.{c:02d}" for p in range(1, 64, 7) for c in range(1, 13)]
TYPES = [("birth_certificate", 45), ("citizen_id", 20), ("marriage_certificate", 10), ("death_extract", 5),
         ("decision", 7), ("official_letter", 8), ("birth_register_page", 5)]
CHUNK = 2000


class People:
    """A deterministic crowd: person n has one personal ID, a name and a date of birth."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0
        surnames, weights = zip(*SURNAMES, strict=True)
        self.surname = lambda: rng.choices(surnames, weights)[0]

    def new(self) -> dict[str, str]:
        self.count += 1
        rng = self.rng
        year = rng.randint(1930, 2023)
        name = " ".join([self.surname(), *rng.sample(MIDDLE, rng.choice((1, 1, 2))), rng.choice(GIVEN)])
        province = rng.randint(1, 96)
        century = (0 if year < 2000 else 2) + rng.randint(0, 1)
        return {"name": name, "id": f"{province:03d}{century}{year % 100:02d}{self.count % 1_000_000:06d}",
                "born": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"}


def generate(count: int, seed: int, agencies: Sequence[str] = AGENCIES) -> Iterator[dict[str, Any]]:
    """``count`` documents, dealt to ``agencies`` in turn; the same seed gives the same documents."""
    rng = random.Random(seed)
    people = People(rng)
    types, weights = zip(*TYPES, strict=True)
    for n in range(count):
        doc_type = rng.choices(types, weights)[0]
        yield _document(n, doc_type, people, rng, agencies[n % len(agencies)])


def _document(n: int, doc_type: str, people: People, rng: random.Random, agency: str) -> dict[str, Any]:
    person, father, mother = people.new(), people.new(), people.new()
    fields: dict[str, str] = {}
    records: list[dict[str, str]] = []
    if doc_type in ("birth_certificate", "citizen_id", "death_extract"):
        fields = {"full_name": person["name"], "date_of_birth": person["born"], "personal_id": person["id"],
                  "gender": rng.choice(("Nam", "Nữ")), "registration_number": str(rng.randint(1, 400))}
        if doc_type == "birth_certificate":
            fields |= {"father_name": father["name"], "mother_name": mother["name"], "place_of_birth": "Trạm Y tế xã"}
        if doc_type == "death_extract":
            fields["date_of_death"] = f"{rng.randint(2000, 2024)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}"
    elif doc_type == "marriage_certificate":
        fields = {"husband_name": father["name"], "husband_personal_id": father["id"], "wife_name": mother["name"],
                  "wife_personal_id": mother["id"], "registration_date": f"{rng.randint(1990, 2024)}-05-1{n % 10}"}
    elif doc_type in ("decision", "official_letter"):
        fields = {"document_number": f"{rng.randint(1, 3000)}/{'QĐ-UBND' if doc_type == 'decision' else 'UBND-VP'}",
                  "issue_date": f"{rng.randint(2010, 2024)}-1{rng.randint(0, 2)}-0{rng.randint(1, 9)}",
                  "subject": "Về việc phê duyệt kế hoạch sử dụng đất", "signer_name": person["name"]}
    else:
        records = [{"registration_number": str(i), "full_name": p["name"], "date_of_birth": p["born"],
                    "father_name": father["name"], "mother_name": mother["name"]}
                   for i, p in enumerate([person] + [people.new() for _ in range(4)], 1)]
    text = "\n".join([doc_type.replace("_", " ").upper(), *(f"{k}: {v}" for k, v in fields.items()),
                      *(r["full_name"] for r in records)])
    doc_id = hashlib.sha256(f"bench-{n}".encode()).hexdigest()[:32]
    return {"id": doc_id, "source": f"scans/{n}.tif", "doc_type": doc_type, "doc_type_confidence": 0.95,
            "fields": fields, "records": records, "needs_review": n % 17 == 0, "review_reasons": [],
            "pages": [{"index": 1, "source_page": 1, "text": text, "confidence": 0.9, "rotation": 0,
                       "skew_deg": 0.3, "blank": False, "dpi": 300}],
            "pdf": f"{doc_id}.pdf", "sha256": hashlib.sha256(doc_id.encode()).hexdigest(),
            "signature": {"level": "PAdES-B-B", "signer": "bench", "signed_at": f"2024-01-01T00:00:{n % 60:02d}+07:00"},
            "agency": agency, "batch": f"bench-{n // 5000}", "version": 1}


def stored(record: dict[str, Any]) -> StoredDocument:
    agency, doc_id = record["agency"], record["id"]
    return StoredDocument(record, StoredObject(doc_key(agency, doc_id, 1, "pdf"), record["sha256"], 50_000,
                                               "application/pdf"),
                          StoredObject(doc_key(agency, doc_id, 1, "json"), record["sha256"], 3_000, "application/json"))


@dataclass(frozen=True)
class Loaded:
    seconds: float  # the whole load, the planner's statistics at the end included
    per_100k: list[float]  # seconds each full 100,000 documents took, in order (flat: the catalog's size costs nothing)
    sample: list[dict[str, str]]  # people in the documents: personal "id", "name" (as printed), the "doc" they are in


def load(catalog: Catalog, docs: int, seed: int, *, agencies: Sequence[str] = AGENCIES,
         sample_rate: float = 0.001) -> Loaded:
    """Bulk-load the documents, CHUNK at a time as a batch is; keep about ``sample_rate`` of the people who have
    a personal ID field."""
    rng, sample, chunk, per_100k = random.Random(seed + 1), [], [], []
    started = last = time.monotonic()
    for n, record in enumerate(generate(docs, seed, agencies), 1):
        chunk.append(stored(record))
        fields = record["fields"]
        if "personal_id" in fields and rng.random() < sample_rate:
            sample.append({"id": fields["personal_id"], "name": fields["full_name"], "doc": record["id"]})
        if len(chunk) == CHUNK or n == docs:
            with catalog.engine.begin() as connection:
                index_documents(connection, chunk)
            chunk = []
        if n % 100_000 == 0:
            now = time.monotonic()
            per_100k.append(round(now - last, 1))
            print(f"  {n} documents, {now - started:.0f} s ({now - last:.1f} s for these 100,000)", flush=True)
            last = now
    catalog.optimize()
    return Loaded(time.monotonic() - started, per_100k, sample)


def timed(run: Callable[[], int], times: int) -> dict[str, float]:
    for _ in range(min(10, times)):  # warm caches
        run()
    latencies, found = [], []
    for _ in range(times):
        started = time.perf_counter()
        found.append(run())
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {"p50_ms": round(statistics.median(latencies), 2), "p95_ms": round(latencies[int(len(latencies) * 0.95)], 2),
            "max_ms": round(latencies[-1], 2), "mean_results": round(sum(found) / len(found), 1)}


def measure(catalog: Catalog, sample: list[dict[str, str]], queries: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed + 2)

    def lookup(query: Callable[[dict[str, str]], SearchQuery]) -> Callable[[], int]:
        return lambda: len(search(catalog, query(rng.choice(sample)), actor="bench").items)

    return {
        "personal_id": timed(lookup(lambda p: SearchQuery(personal_id=p["id"])), queries),
        "name": timed(lookup(lambda p: SearchQuery(name=fold(p["name"]))), queries),
        "full_text_name": timed(lookup(lambda p: SearchQuery(text=fold(p["name"]))), queries),
    }


def run(name: str, url: str, docs: int, queries: int, seed: int) -> dict[str, Any]:
    print(f"{name}: loading {docs} documents into {make_url(url)!r}", flush=True)
    catalog = Catalog.migrated(url)
    loaded = load(catalog, docs, seed)
    print(f"{name}: loaded in {loaded.seconds:.0f} s; timing {queries} searches of each kind", flush=True)
    result = {"load_seconds": round(loaded.seconds), "load_seconds_per_100k": loaded.per_100k,
              **measure(catalog, loaded.sample, queries, seed)}
    catalog.engine.dispose()
    return result


def sqlite_database(path: Path | None) -> tuple[str, Callable[[], None]]:
    """A catalog file (in a new temporary folder unless given), and how to remove it."""
    folder = None if path else Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    path = path or folder / "catalog.db"

    def drop() -> None:
        for leftover in path.parent.glob(path.name + "*"):  # with its -wal and -shm files
            leftover.unlink()
        if folder:
            folder.rmdir()

    return f"sqlite:///{path}", drop


def postgres_database(server: str) -> tuple[str, Callable[[], None]]:
    """A new database on the server, and how to drop it."""
    url = make_url(server).set(drivername="postgresql")
    name = f"sohoa_bench_{uuid.uuid4().hex[:8]}"
    admin = url.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE {name} WITH (FORCE)")

    return url.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--sqlite", type=Path, help="catalog file (default: a temporary one)")
    parser.add_argument("--postgres", default=os.environ.get("SOHOA_BENCH_POSTGRES_URL",
                                                             "postgresql://postgres@127.0.0.1:5432/test"))
    parser.add_argument("--keep", action="store_true", help="keep the generated catalogs")
    parser.add_argument("--out", type=Path, help="write the results as JSON here too")
    args = parser.parse_args()
    results = {}
    for name in args.databases.split(","):
        url, drop = sqlite_database(args.sqlite) if name == "sqlite" else postgres_database(args.postgres)
        try:
            results[name] = run(name, url, args.docs, args.queries, args.seed)
        finally:
            if not args.keep:
                drop()
    report = {"documents": args.docs, "queries": args.queries, "targets_p95_ms": {"personal_id": 20, "name": 200},
              "results": results}
    print(json.dumps(report, indent=1))
    if args.out:
        args.out.write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
