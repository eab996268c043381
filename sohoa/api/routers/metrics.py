"""``GET /metrics``: Prometheus's text format. This process's own counts — the pipeline's when it runs batches itself
(no Redis), uploads refused, the process's memory and CPU — and the service's, computed at each scrape: batches by
status and workers running one (the catalog), jobs waiting and started and workers alive (Redis). Counts only, never
personal data. With SOHOA_METRICS_TOKEN set, the call carries it as a bearer token (else 401)."""
from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterator

from fastapi import APIRouter, HTTPException, Request, Response
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric

from sohoa.api.auth import Credentials
from sohoa.api.deps import Resources
from sohoa.batch_queue import BatchRunner
from storage.batch_list import batches_by_status, busy_workers
from workers.service import DEAD_AFTER

log = logging.getLogger(__name__)
router = APIRouter(tags=["metrics"])
STATUSES = ("queued", "running", "done", "failed")  # always listed, at 0 when there is none


class ServiceCollector:
    """The service's state, read at each scrape (a few indexed queries, a few Redis reads); a source that does not
    answer is left out, and says so in ``sohoa_metrics_source_up``."""

    def __init__(self, resources: Resources, runner: BatchRunner) -> None:
        self.resources, self.runner = resources, runner
        self.sources: dict[str, Callable[[], Iterator[Metric]]] = {"catalog": self._catalog}
        if resources.settings.redis_url:
            self.sources["queue"] = self._queue

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("sohoa_metrics_source_up", "Whether a source of the service's metrics answered",
                               labels=["source"])
        for source, read in self.sources.items():
            try:
                families = list(read())
            except Exception as exc:  # noqa: BLE001 - the other metrics are still served; the log names the failure
                log.warning("metrics: the %s did not answer (%s)", source, type(exc).__name__)
                up.add_metric([source], 0)
                continue
            up.add_metric([source], 1)
            yield from families
        yield up

    def _catalog(self) -> Iterator[Metric]:
        catalog = self.resources.catalog()
        counts = batches_by_status(catalog)
        batches = GaugeMetricFamily("sohoa_batches", "Batches in the catalog, by status", labels=["status"])
        for status in sorted(set(STATUSES) | set(counts)):
            batches.add_metric([status], counts.get(status, 0))
        yield batches
        yield GaugeMetricFamily("sohoa_workers_busy", "Workers running a batch whose heartbeat is fresh (within "
                                f"{DEAD_AFTER.total_seconds():g} s)", value=busy_workers(catalog, DEAD_AFTER))

    def _queue(self) -> Iterator[Metric]:
        state = self.runner.queue_state()
        if state is None:
            return
        jobs = GaugeMetricFamily("sohoa_queue_jobs", "Jobs of the queue, by state", labels=["state"])
        jobs.add_metric(["queued"], state.queued)
        jobs.add_metric(["started"], state.started)
        yield jobs
        yield GaugeMetricFamily("sohoa_workers", "Workers taking jobs from the queue (alive by RQ's heartbeat)",
                                value=state.workers)


def metrics_registry(resources: Resources, runner: BatchRunner) -> CollectorRegistry:
    """What ``GET /metrics`` serves: this process's metrics and the service's."""
    registry = CollectorRegistry()
    registry.register(REGISTRY)
    registry.register(ServiceCollector(resources, runner))
    return registry


@router.get("/metrics", response_class=Response, responses={
    200: {"content": {"text/plain": {}}, "description": "Prometheus's text format (or OpenMetrics, when asked)"},
    401: {"description": "SOHOA_METRICS_TOKEN is set and the call does not carry it"}})
def metrics(request: Request, credentials: Credentials) -> Response:
    """The service's metrics for Prometheus: counts only, no personal data."""
    token: str | None = request.app.state.settings.metrics_token
    if token and not (credentials and hmac.compare_digest(credentials.credentials.encode(), token.encode())):
        raise HTTPException(401, "the metrics need the bearer token set in SOHOA_METRICS_TOKEN",
                            headers={"WWW-Authenticate": "Bearer"})
    encode, content_type = choose_encoder(request.headers.get("accept", ""))
    registry: CollectorRegistry = request.app.state.metrics
    return Response(encode(registry), media_type=content_type)
