"""Side-by-side benchmark of sohoa against plain Tesseract, OCRmyPDF and an oracle Tesseract on one corpus batch.

    python bench/pipeline.py BATCH_DIR [--bench-dir DIR] [--docs N --seed S] [--out DIR] [--jobs N]
                             [--systems sohoa,tesseract,ocrmypdf,oracle]

BATCH_DIR is a corpus.py output (input/ and truth.json); when it has none, corpus.py makes one of --docs
documents with --seed. --bench-dir holds corpus.py, score.py and baseline.py (see bench/benchdir.py). Each system
writes contract-shaped JSON into OUT/<system>/, which BENCH_DIR/score.py scores; the systems run one after the
other, never together.

- sohoa:     ``sohoa process BATCH/input --out OUT/sohoa --jobs N`` with a fresh SOHOA_DATA_DIR;
- tesseract: BENCH_DIR/baseline.py (raw pages, one Tesseract process per job);
- ocrmypdf:  ``ocrmypdf -l vie --rotate-pages --deskew --output-type pdfa --jobs N`` per input file, then
             ``pdftotext`` per page; one document per file (pages are scored by file and page number);
- oracle:    Tesseract on every non-blank truth page after undoing its true rotation and skew and
             upsampling it to 300 dpi: what Tesseract reads when preprocessing is perfect.

Throughput is the batch's input pages × 60 over the wall time measured here around each system's run
(OCRmyPDF: its runs only, not the text extraction). Peak memory is the largest sum of RSS over this
process's descendants, polled every 0.2 s. Everything goes to OUT/results.json as well.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

import psutil
from benchdir import default_bench_dir
from PIL import Image

SYSTEMS = ("sohoa", "tesseract", "ocrmypdf", "oracle")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
REPO = Path(__file__).resolve().parents[1]
ORACLE_DPI = 300


@dataclass
class Run:
    """What one system's run produced: wall seconds, peak RSS of its processes, errors, the scorer's JSON."""
    seconds: float = 0.0
    peak_rss: int = 0
    errors: list[str] = field(default_factory=list)
    score: dict | None = None


class PeakMemory:
    """Largest summed RSS of this process's descendants, polled in a thread while the block runs."""

    def __init__(self, interval: float = 0.2) -> None:
        self.interval, self.peak = interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        me = psutil.Process()
        while True:
            total = 0
            for proc in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):  # exited between listing and reading
                    total += proc.memory_info().rss
            self.peak = max(self.peak, total)
            if self._stop.wait(self.interval):
                return


def measured(work: Callable[[], list[str]]) -> Run:
    """Run ``work`` (which returns its errors) under the wall clock and the memory poller."""
    with PeakMemory() as memory:
        started = time.monotonic()
        errors = work()
        seconds = time.monotonic() - started
    return Run(seconds=seconds, peak_rss=memory.peak, errors=errors)


def run_logged(cmd: list[str], log: Path, env: dict[str, str] | None = None) -> list[str]:
    """Run a command with its output appended to ``log``; a failure is returned as an error line."""
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(cmd)}\n")
        out.flush()
        code = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
    return [f"{Path(cmd[0]).name} exited with {code} (see {log})"] if code else []


def clean_text(text: str) -> str:
    """NFC, lines stripped, empty lines dropped (as baseline.py does)."""
    lines = (line.strip() for line in text.splitlines())
    return unicodedata.normalize("NFC", "\n".join(line for line in lines if line))


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


# --------------------------------------------------------------------------- systems


@dataclass
class Bench:
    """One benchmark run: where the batch, the bench scripts and the outputs are, and how many jobs."""
    batch: Path
    bench_dir: Path
    out: Path
    jobs: int

    @property
    def inputs(self) -> list[Path]:
        suffixes = (*IMAGE_SUFFIXES, ".pdf")
        return sorted(p for p in (self.batch / "input").iterdir() if p.suffix.lower() in suffixes)

    def truth(self) -> list[dict]:
        return json.loads((self.batch / "truth.json").read_text(encoding="utf-8"))


def single_threaded_env() -> dict[str, str]:
    """One Tesseract process per job: no OpenMP threads on top."""
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def sohoa_command() -> str | None:
    venv = REPO / ".venv" / "bin" / "sohoa"
    return str(venv) if venv.is_file() else shutil.which("sohoa")


def missing_tools(system: str) -> list[str]:
    """Commands a system needs that are not installed."""
    needs = {"sohoa": [], "tesseract": ["tesseract", "pdftoppm"], "ocrmypdf": ["ocrmypdf", "pdftotext"],
             "oracle": ["tesseract", "pdftoppm"]}[system]
    missing = [tool for tool in needs if shutil.which(tool) is None]
    return missing + (["sohoa"] if system == "sohoa" and sohoa_command() is None else [])


def run_sohoa(bench: Bench, dest: Path) -> Run:
    state = bench.out / "sohoa-state"
    shutil.rmtree(state, ignore_errors=True)
    env = {**os.environ, "SOHOA_DATA_DIR": str(state)}
    cmd = [sohoa_command() or "sohoa", "process", str(bench.batch / "input"), "--out", str(dest),
           "--jobs", str(bench.jobs)]
    return measured(lambda: run_logged(cmd, bench.out / "sohoa.log", env))


def run_tesseract(bench: Bench, dest: Path) -> Run:
    cmd = [sys.executable, str(bench.bench_dir / "baseline.py"), str(bench.batch / "input"), str(dest),
           "--jobs", str(bench.jobs)]
    return measured(lambda: run_logged(cmd, bench.out / "tesseract.log", single_threaded_env()))


def run_ocrmypdf(bench: Bench, dest: Path) -> Run:
    pdfs = dest / "pdf"
    pdfs.mkdir()
    log = bench.out / "ocrmypdf.log"

    def work() -> list[str]:
        errors = []
        for path in bench.inputs:
            cmd = ["ocrmypdf", "-l", "vie", "--rotate-pages", "--deskew", "--output-type", "pdfa",
                   "--jobs", str(bench.jobs)]
            if path.suffix.lower() in IMAGE_SUFFIXES:
                with Image.open(path) as img:
                    cmd += [] if "dpi" in img.info else ["--image-dpi", str(ORACLE_DPI)]
            errors += [f"{path.name}: {e}" for e in run_logged([*cmd, str(path), str(pdfs / f"{path.stem}.pdf")], log)]
        return errors

    run = measured(work)
    for path in bench.inputs:
        pdf = pdfs / f"{path.stem}.pdf"
        if pdf.is_file():
            write_json(dest / f"{path.stem}.json", ocrmypdf_document(path.name, pdf))
    write_json(dest / "summary.json", {"documents": len(bench.inputs), "seconds": round(run.seconds, 2)})
    return run


def ocrmypdf_document(source: str, pdf: Path) -> dict:
    """One contract-shaped document per input file, one page per PDF page (separator sheets included)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    pages = []
    for number, page_text in enumerate(text.split("\f")[:-1], 1):  # pdftotext ends every page with \f
        page_text = clean_text(page_text)
        pages.append({"index": number, "source_page": number, "text": page_text, "rotation": 0,
                      "blank": sum(c.isalnum() for c in page_text) < 3})
    return {"id": Path(source).stem, "source": source, "doc_type": "other", "fields": {}, "records": [],
            "pages": pages}


def oracle_page(task: tuple[str, int, int, int, float]) -> str:
    """Tesseract on (file, page, dpi, rotation, skew) with the true rotation and skew undone, at 300 dpi (cubic)."""
    path, number, dpi, rotation, skew_deg = task
    with tempfile.TemporaryDirectory() as tmp:
        if path.lower().endswith(".pdf"):
            subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number), "-gray", "-png",
                            "-singlefile", path, f"{tmp}/page"], check=True)
            img = Image.open(f"{tmp}/page.png")
        else:
            img = Image.open(path)
            img.seek(number - 1)
        img = img.convert("L").rotate(-rotation, expand=True)  # PIL turns counter-clockwise
        if dpi != ORACLE_DPI:
            scale = ORACLE_DPI / dpi
            img = img.resize((round(img.width * scale), round(img.height * scale)), Image.Resampling.BICUBIC)
        if skew_deg:
            img = img.rotate(-skew_deg, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        img.save(f"{tmp}/oracle.png", dpi=(ORACLE_DPI, ORACLE_DPI))
        done = subprocess.run(["tesseract", f"{tmp}/oracle.png", "stdout", "-l", "vie", "--dpi", str(ORACLE_DPI),
                               "--psm", "3"], capture_output=True, text=True, check=True, env=single_threaded_env())
    return clean_text(done.stdout)


def run_oracle(bench: Bench, dest: Path) -> Run:
    truth = bench.truth()
    todo = [(doc, page) for doc in truth for page in doc["pages"] if not page["blank"]]
    texts: dict[tuple[str, int], str] = {}

    def work() -> list[str]:
        tasks = [(str(bench.batch / "input" / doc["source"]), page["source_page"], page["dpi"], page["rotation"],
                  page["skew_deg"]) for doc, page in todo]
        with ProcessPoolExecutor(bench.jobs, mp_context=get_context("spawn")) as pool:
            results = pool.map(oracle_page, tasks)
            texts.update(((doc["source"], page["source_page"]), text)
                         for (doc, page), text in zip(todo, results, strict=True))
        return []

    run = measured(work)
    for i, doc in enumerate(truth, 1):
        whole = (doc["first_page"], doc["last_page"]) == (1, doc["file_pages"])
        source = doc["source"] if whole else f"{doc['source']}#p{doc['first_page']}-{doc['last_page']}"
        pages = [{"index": j, "source_page": p["source_page"], "text": texts.get((doc["source"], p["source_page"]), ""),
                  "rotation": p["rotation"], "blank": p["blank"]} for j, p in enumerate(doc["pages"], 1)]
        write_json(dest / f"oracle{i:04d}.json", {"id": f"oracle{i:04d}", "source": source, "doc_type": "other",
                                                  "fields": {}, "records": [], "pages": pages})
    write_json(dest / "summary.json", {"documents": len(truth), "seconds": round(run.seconds, 2)})
    return run


RUNNERS: dict[str, Callable[[Bench, Path], Run]] = {
    "sohoa": run_sohoa, "tesseract": run_tesseract, "ocrmypdf": run_ocrmypdf, "oracle": run_oracle}


def score(bench: Bench, dest: Path) -> dict:
    done = subprocess.run([sys.executable, str(bench.bench_dir / "score.py"), str(bench.batch), str(dest), "--json"],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


# --------------------------------------------------------------------------- report


def figures(run: Run, input_pages: int) -> dict:
    """The table's figures for one system."""
    s = run.score or {}
    return {
        "pages_per_minute": round(input_pages * 60 / run.seconds, 2) if run.seconds else 0.0,
        "cer_mean": s.get("cer", {}).get("mean"), "cer_micro": s.get("cer", {}).get("micro"),
        "cer_order_free_micro": s.get("cer_order_free", {}).get("micro"),
        "cer_order_free_mean": s.get("cer_order_free", {}).get("mean"),
        "wer_mean": s.get("wer", {}).get("mean"), "doc_type_accuracy": s.get("doc_type_accuracy"),
        "field_f1": s.get("fields", {}).get("overall", {}).get("f1"),
        "record_f1": s.get("records", {}).get("overall", {}).get("f1"),
        "seconds": round(run.seconds, 2), "peak_rss_mb": round(run.peak_rss / 2**20, 1),
    }


COLUMNS = [("pages/min", "pages_per_minute", "{:.1f}"), ("CER mean", "cer_mean", "{:.2%}"),
           ("CER micro", "cer_micro", "{:.2%}"), ("of-CER micro", "cer_order_free_micro", "{:.2%}"),
           ("of-CER mean", "cer_order_free_mean", "{:.2%}"), ("WER mean", "wer_mean", "{:.2%}"),
           ("doc-type acc", "doc_type_accuracy", "{:.2%}"), ("field F1", "field_f1", "{:.2%}"),
           ("record F1", "record_f1", "{:.2%}"),
           ("seconds", "seconds", "{:.1f}"), ("peak RSS MB", "peak_rss_mb", "{:.0f}")]


def table(rows: dict[str, dict]) -> str:
    header = ["system", *(name for name, _, _ in COLUMNS)]
    lines = [[name, *("-" if row[key] is None else fmt.format(row[key]) for _, key, fmt in COLUMNS)]
             for name, row in rows.items()]
    widths = [max(len(cells[i]) for cells in [header, *lines]) for i in range(len(header))]
    return "\n".join(" | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths,
                     strict=True))) for cells in [header, *lines])


def understanding_share(summary: Path) -> str:
    """How much of sohoa's batch time went to classification, fields and records (target: under 5 %)."""
    if not summary.is_file():
        return "sohoa understanding time: no summary.json"
    data = json.loads(summary.read_text(encoding="utf-8"))
    spent, total = data.get("understanding_seconds", 0.0), data.get("seconds") or 0.0
    share = spent / total if total else 0.0
    return (f"sohoa understanding: {spent:.2f} s of {total:.1f} s = {share:.2%} "
            f"(target < 5 %: {'PASS' if share < 0.05 else 'FAIL'})")


def ratios(rows: dict[str, dict]) -> list[dict]:
    """The targets' ratios, where both systems ran: sohoa's figure over the other's, and whether it passes."""
    checks = [("order-free CER micro", "cer_order_free_micro", "oracle", "<=", 1.1),
              ("CER micro", "cer_micro", "tesseract", "<", 1.0), ("CER mean", "cer_mean", "tesseract", "<", 1.0),
              ("CER micro", "cer_micro", "ocrmypdf", "<", 1.0), ("CER mean", "cer_mean", "ocrmypdf", "<", 1.0),
              ("pages/min", "pages_per_minute", "tesseract", ">=", 0.9),
              ("pages/min", "pages_per_minute", "ocrmypdf", ">=", 1.0)]
    out = []
    for label, key, other, op, target in checks:
        mine, theirs = rows.get("sohoa", {}).get(key), rows.get(other, {}).get(key)
        if mine is None or not theirs:
            continue
        ratio = mine / theirs
        ok = {"<=": ratio <= target, "<": ratio < target, ">=": ratio >= target}[op]
        out.append({"figure": label, "versus": other, "sohoa": mine, "other": theirs, "ratio": round(ratio, 3),
                    "target": f"{op} {target}", "pass": ok})
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("batch", type=Path, help="corpus.py output: input/ and truth.json")
    parser.add_argument("--bench-dir", type=Path, default=default_bench_dir(),
                        help="folder holding corpus.py, score.py and baseline.py [default: $BENCH_DIR, else "
                             "../shared/bench beside the repository]")
    parser.add_argument("--docs", type=int, default=40, help="documents in a batch made when BATCH has none")
    parser.add_argument("--seed", type=int, default=7, help="corpus.py's seed for a batch made here")
    parser.add_argument("--out", type=Path, default=Path("/tmp/sohoa-bench/out"))
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--systems", default=",".join(SYSTEMS), help="comma-separated, run in this order")
    args = parser.parse_args(argv)
    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    if unknown := set(systems) - set(SYSTEMS):
        parser.error(f"unknown systems: {', '.join(sorted(unknown))} (choose from {', '.join(SYSTEMS)})")
    if not (args.bench_dir / "score.py").is_file():
        parser.error(f"no score.py in {args.bench_dir} (give --bench-dir or BENCH_DIR)")
    if not (args.batch / "truth.json").is_file():
        subprocess.run([sys.executable, str(args.bench_dir / "corpus.py"), str(args.batch), "--docs", str(args.docs),
                        "--seed", str(args.seed)], check=True)
    if not (args.batch / "input").is_dir():
        parser.error(f"{args.batch} has truth.json but no input/")
    bench = Bench(args.batch.resolve(), args.bench_dir.resolve(), args.out.resolve(), args.jobs)
    bench.out.mkdir(parents=True, exist_ok=True)
    input_pages = sum({d["source"]: d["file_pages"] for d in bench.truth()}.values())
    print(f"batch {bench.batch}: {len(bench.inputs)} files, {input_pages} input pages; jobs {bench.jobs}", flush=True)

    rows, results = {}, {}
    for system in systems:
        if missing := missing_tools(system):
            print(f"{system}: skipped, command not found: {', '.join(missing)}", flush=True)
            results[system] = {"skipped": f"command not found: {', '.join(missing)}"}
            continue
        dest = bench.out / system
        shutil.rmtree(dest, ignore_errors=True)
        dest.mkdir(parents=True)
        (bench.out / f"{system}.log").unlink(missing_ok=True)
        print(f"{system}: running ...", flush=True)
        run = RUNNERS[system](bench, dest)
        try:
            run.score = score(bench, dest)
        except subprocess.CalledProcessError as e:
            run.errors.append(f"score.py failed: {e.stderr.strip().splitlines()[-1:]}")
        for error in run.errors:
            print(f"  {system}: {error}", flush=True)
        rows[system] = figures(run, input_pages)
        print(f"{system}: {rows[system]['seconds']} s, {rows[system]['pages_per_minute']} pages/min", flush=True)
        results[system] = {**rows[system], "errors": run.errors, "score": run.score}

    checks = ratios(rows)
    print()
    print(table(rows))
    if "sohoa" in rows:
        print(f"\nsohoa peak memory (summed RSS of its processes): {rows['sohoa']['peak_rss_mb']:.0f} MB")
        print(understanding_share(bench.out / "sohoa" / "summary.json"))
    if checks:
        print("\nsohoa / other      figure                ratio   target   result")
        for c in checks:
            print(f"  vs {c['versus']:<14} {c['figure']:<21} {c['ratio']:>6.3f}   {c['target']:<7}  "
                  f"{'PASS' if c['pass'] else 'FAIL'}")
    write_json(bench.out / "results.json", {"batch": str(bench.batch), "input_pages": input_pages, "jobs": bench.jobs,
                                            "systems": results, "ratios": checks})
    print(f"\nfull results: {bench.out / 'results.json'}")


if __name__ == "__main__":
    main()
