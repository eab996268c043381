"""The ``sohoa`` command (CONTRACT §1): wiring only, the work is done by the domain packages."""
from __future__ import annotations

import datetime as dt
import gc
import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from prometheus_client import start_http_server
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from sqlalchemy.exc import OperationalError
from typer.core import TyperGroup

from ingest.batch import expand
from ingest.errors import InputError
from ingest.manifest import BATCH_KINDS, Manifest, load_manifest
from signing.keys import signer_info
from signing.lta import extend_lta, last_timestamp_expiry
from signing.signer import load_signer
from signing.verify import verify_pdf
from sohoa.exits import FAILED, OK, SERVICE_ERRORS, UNAVAILABLE, CommandError, ServiceUnavailable, UsageError
from sohoa.export_cli import export_app
from sohoa.jobs import batch_config
from sohoa.review_cli import register as register_review_commands
from sohoa.startup import check_ocr_languages, reach_catalog, reach_queue, reach_store, reach_tsa, start
from sohoa.storage_cli import register as register_storage_commands
from sohoa.users_cli import users_app
from workers.embedded import Reporter, process_batch
from workers.metrics import gather_forks
from workers.summary import Summary

log = logging.getLogger(__name__)


class _Edge(TyperGroup):
    """Where every command ends (CONTRACT §1): a CommandError, or a service that stopped answering midway, becomes
    one line on stderr and its exit status (sohoa.exits); anything else is a bug and keeps its traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer bundles its own click: its Context is not `click.Context`
        try:
            return super().invoke(ctx)
        except CommandError as exc:
            _fail(str(exc), exc.status)
        except SERVICE_ERRORS as exc:
            log.debug("a service did not answer", exc_info=True)
            part = "catalog" if isinstance(exc, OperationalError) else "object store"
            _fail(f"the {part} did not answer ({type(exc).__name__})", UNAVAILABLE)


def _fail(message: str, status: int) -> NoReturn:
    """``error: <message>`` as one line on stderr, then the exit status."""
    sys.stderr.write(f"error: {' '.join(message.split())}\n")
    raise typer.Exit(status)


app = typer.Typer(help="sohoa: scans in; signed, searchable PDF/A and structured data out.", no_args_is_help=True,
                  pretty_exceptions_enable=False, cls=_Edge)
keys_app = typer.Typer(help="Signing keys: the development CA and signer; the active signer.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
timestamp_app = typer.Typer(help="Document timestamps of long-term (PAdES-B-LTA) archives.", no_args_is_help=True)
app.add_typer(timestamp_app, name="timestamp")
register_storage_commands(app)
register_review_commands(app)
app.add_typer(export_app, name="export")
app.add_typer(users_app, name="users")
err = Console(stderr=True)


class _ProgressBar(Reporter):
    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.task = progress.add_task("pages", total=None)

    def begin(self, total_pages: int) -> None:
        self.progress.update(self.task, total=total_pages)

    def page_done(self) -> None:
        self.progress.advance(self.task)


@app.command()
def process(
    inputs: Annotated[list[str], typer.Argument(help="scan files (PNG, JPEG, TIFF, PDF) and folders")],
    out: Annotated[Path, typer.Option("--out", help="where the signed PDFs and their JSON go")],
    kind: Annotated[str | None, typer.Option(help="dossier | result | registry_book")] = None,
    manifest: Annotated[Path | None, typer.Option(help="batch manifest (JSON)")] = None,
    jobs: Annotated[int, typer.Option(help="pages recognized at once")] = len(os.sched_getaffinity(0)),
) -> None:
    """Run the whole pipeline on a batch of scans."""
    settings = start()
    check_ocr_languages(settings)
    batch_manifest = _manifest(manifest, kind)
    _check_inputs(inputs)
    _out_folder(out)
    reach_catalog(settings)
    store = reach_store(settings)
    reach_tsa(settings)
    try:
        config = batch_config(settings, out, batch_manifest, jobs, store)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        load_signer(config.signer)  # a wrong PIN or password fails here once, not in every worker
    except ValueError as exc:
        raise UsageError(f"signing: {exc}") from None
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=err, disable=not err.is_terminal, transient=False) as progress:
        summary = process_batch(inputs, config, _ProgressBar(progress))
    _tell(summary, out)
    raise typer.Exit(FAILED if summary.failed else OK)


def _tell(summary: Summary, out: Path) -> None:
    """What a batch gave, on stderr: counts, then every file failed or skipped and every page to scan again."""
    err.print(f"{summary.documents} documents from {summary.pages} pages ({summary.blank_pages} blank) "
              f"in {summary.seconds:.1f} s -> {out}")
    for item in summary.failed:
        err.print(f"[red]failed[/red]  {item['source']}: {item['error']}", highlight=False)
    for item in summary.skipped:
        err.print(f"[yellow]skipped[/yellow] {item['source']}: {item['reason']}", highlight=False)
    for item in summary.rescan:
        err.print(f"[yellow]rescan[/yellow]  {item['source']} page {item['page']}: {item['reason']}", highlight=False)


def _manifest(path: Path | None, kind: str | None) -> Manifest:
    try:
        batch_manifest = load_manifest(path) if path else Manifest()
    except InputError as exc:
        raise UsageError(str(exc)) from None
    if kind:
        known = next((k for k in BATCH_KINDS if k == kind), None)
        if known is None:
            raise UsageError(f"--kind must be dossier, result or registry_book, not {kind!r}")
        batch_manifest.kind = known
    return batch_manifest


def _check_inputs(inputs: list[str]) -> None:
    """Every input exists and together they hold at least one file: an empty folder is a mistake to be told, not
    a batch of nothing."""
    missing = [i for i in inputs if not Path(i).exists()]
    if missing:
        raise UsageError(f"no such file or folder: {', '.join(missing)}")
    if not expand(inputs):
        raise UsageError(f"nothing to process: {', '.join(inputs)} holds no files (hidden files are left out)")


def _out_folder(out: Path) -> None:
    """--out is a folder, made when missing."""
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out names a file, not a folder: {out}")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out: the folder {out} cannot be made ({exc.strerror or exc})") from None


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Run the HTTP service (health, the development CA's certificate and CRL) until Ctrl-C or SIGTERM."""
    import uvicorn

    from sohoa.api.app import create_app

    settings = start()
    check_ocr_languages(settings)
    reach_catalog(settings)
    reach_store(settings)
    reach_queue(settings)
    reach_tsa(settings)
    if settings.uses_dev_key:  # publish the CRL its certificates point at from the start
        settings.development_keys()
    served = create_app(settings)
    gc.collect()
    gc.freeze()  # what start-up made lasts as long as the server: a full collection no longer walks it, each request
    # in flight waiting (0.1 s for its 250,000 objects on a 2-core machine)
    uvicorn.run(served, host=host, port=port, log_config=None)  # its log lines as sohoa's (sohoa.logs)


@app.command()
def worker(
    queues: Annotated[list[str] | None, typer.Argument(help="queues to take jobs from, in order [default: sohoa]")]
    = None,
    burst: Annotated[bool, typer.Option(help="stop once the queues are empty")] = False,
    check: Annotated[bool, typer.Option("--check", help="only check that a worker could run here: the settings, "
                                                        "Tesseract's languages, the queue, the catalog and the "
                                                        "object store (a container's health check)")] = False,
    metrics_port: Annotated[int | None, typer.Option(
        "--metrics-port", min=1, max=65535, show_default=False,
        help="serve this worker's metrics (Prometheus) at http://0.0.0.0:PORT/metrics [default: SOHOA_METRICS_PORT, "
             "else none]")] = None,
    page_workers: Annotated[int | None, typer.Option(
        "--page-workers", min=0, show_default=False,
        help="processes reading the pages of every batch (0: none here) [default: one per core]")] = None,
) -> None:
    """Run uploaded batches from the queue on SOHOA_REDIS_URL until SIGTERM (which lets the running job finish)."""
    from redis import RedisError

    from sohoa.batch_queue import QUEUE, work

    settings = start()
    if not settings.redis_url:
        raise UsageError("SOHOA_REDIS_URL is not set: a worker takes its jobs from Redis "
                         "(without it, `sohoa serve` runs uploaded batches itself)")
    check_ocr_languages(settings)
    reach_queue(settings)
    reach_catalog(settings, migrate=not check)  # the schema brought up to date before any job opens it
    reach_store(settings)
    reach_tsa(settings)
    if check:
        print("ready: the settings, Tesseract, the queue, the catalog and the object store")
        return
    port, named = (metrics_port, "--metrics-port") if metrics_port else (settings.metrics_port, "SOHOA_METRICS_PORT")
    if port:
        _serve_worker_metrics(port, named)
    try:
        work(settings, queues or [QUEUE], burst,
             len(os.sched_getaffinity(0)) if page_workers is None else page_workers)
    except RedisError as exc:
        raise ServiceUnavailable(f"the queue at SOHOA_REDIS_URL stopped answering ({type(exc).__name__})") from None


def _serve_worker_metrics(port: int, named: str) -> None:
    """This worker's metrics, with what its jobs count in the work horses RQ forks (workers.metrics), on ``port``
    (``named``: the option or variable that gave it)."""
    try:
        start_http_server(port)
    except OSError as exc:
        raise UsageError(f"{named}: port {port} cannot be listened on ({exc.strerror or exc})") from None
    gather_forks()


@app.command()
def verify(
    file: Annotated[Path, typer.Argument(help="a signed PDF")],
    format: Annotated[str, typer.Option("--format", help="text | json")] = "text",
) -> None:
    """Check a PDF's signatures and integrity; exit status 1 when it is not valid."""
    settings = start()
    if not file.is_file():
        raise UsageError(f"no such file: {file}")
    report = verify_pdf(file.read_bytes(), settings.trusted_roots(), str(file), settings.verify_crls())
    print(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) if format == "json" else report.to_text())
    raise typer.Exit(OK if report.valid else FAILED)


@keys_app.command("init-dev")
def keys_init_dev() -> None:
    """Create the development CA, its CRL and signer under $SOHOA_DATA_DIR/keys (kept when they exist)."""
    keys = start().development_keys()
    print(f"development CA: {keys.ca_cert}\ndevelopment signer: {keys.signer_p12}\nCRL: {keys.crl}")


@keys_app.command("show")
def keys_show() -> None:
    """The active signer, its validity (with a warning when it ends within 30 days) and the signature level."""
    settings = start()
    try:
        config = settings.signer_config()
        info = signer_info(config.key)
    except ValueError as exc:  # a wrong PIN or password, a key that is not there
        raise UsageError(f"signing: {exc}") from None
    print(f"signer: {info.name}\nissuer: {info.issuer}\nkey: {info.source}\n"
          f"valid until: {info.not_after.isoformat()}\nlevel: {config.level}"
          + (f" (timestamps from {config.tsa_url})" if config.tsa_url else "")
          + "".join(f"\nCRL: {url}" for url in info.crl_urls))
    if info.expires_soon:
        err.print(f"[yellow]warning:[/yellow] the signing certificate expires on {info.not_after:%Y-%m-%d}: "
                  "renew it before then", highlight=False)


@timestamp_app.command("extend")
def timestamp_extend(
    files: Annotated[list[Path], typer.Argument(help="PAdES-B-LTA documents, extended in place")],
    within: Annotated[int | None, typer.Option("--if-expiring-within", metavar="DAYS",
                                               help="only if the last timestamp's certificate ends this soon")] = None,
) -> None:
    """Add a fresh document timestamp (from SOHOA_TSA_URL) as an incremental update; exit status 1 if any fails."""
    settings = start()
    if not settings.tsa_url:
        raise UsageError("SOHOA_TSA_URL is not set: a document timestamp needs a timestamp authority")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    reach_tsa(settings)
    roots = settings.trusted_roots()
    failed = 0
    for file in files:
        data = file.read_bytes()
        expiry = last_timestamp_expiry(data)
        if within is not None and expiry and expiry - dt.datetime.now(dt.UTC) > dt.timedelta(days=within):
            print(f"{file}: kept, its last timestamp's certificate is valid until {expiry:%Y-%m-%d}")
            continue
        try:
            extended = extend_lta(data, settings.tsa_url, roots, settings.verify_crls())
        except Exception as exc:  # noqa: BLE001 - reported per file, the others go on
            err.print(f"[red]failed[/red]  {file}: {type(exc).__name__}: {exc}", highlight=False)
            failed += 1
            continue
        partial = file.with_name(file.name + ".partial")
        partial.write_bytes(extended)
        partial.replace(file)  # atomic: the archive never holds half a document
        print(f"{file}: extended")
    raise typer.Exit(FAILED if failed else OK)


@app.command()
def sample(out: Annotated[Path, typer.Argument(help="folder to write the sample scans into")]) -> None:
    """Write a small sample batch of Vietnamese scans (with a separator sheet, a blank page and a corrupt file)."""
    from sohoa.sample import write_sample_batch

    truth = out.with_name(out.name + "-truth.json")
    files = write_sample_batch(out, truth_path=truth)
    print(f"{len(files)} sample files -> {out} (what they hold: {truth})")


def main() -> None:
    app(prog_name="sohoa")


if __name__ == "__main__":
    main()
