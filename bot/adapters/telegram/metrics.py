"""Prometheus metrics of the running bot, served over HTTP when ``SUPPORTBOT_METRICS_PORT`` is set.

``prometheus-client`` is optional (``pip install supportbot[metrics]``): without it, or without the
port, every call here does nothing. Served at ``http://<bind>:<port>/metrics``:

* ``supportbot_updates_total{kind}``: updates handled, by kind (text, press, photo…, staff);
* ``supportbot_replies_sent_total``: replies delivered to customers;
* ``supportbot_reply_latency_seconds``: from an update received to its replies delivered (histogram);
* ``supportbot_errors_total{kind}``: failed Bot API calls by the kind :mod:`.faults` gives them, failed
  ``getUpdates`` rounds (``poll``) and errors while handling an update (``handler``);
* ``supportbot_handoffs_waiting``, ``supportbot_outbox_backlog``, ``supportbot_notice_backlog``: gauges read
  from the database when scraped (see :func:`.heartbeat.backlog`);
* the process's own (CPU, memory, open files).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

from bot.adapters.telegram.heartbeat import Backlog
from bot.core.errors import ConfigError

log = logging.getLogger(__name__)

try:
    import prometheus_client as prom
    from prometheus_client.core import GaugeMetricFamily
except ImportError:  # the optional extra is not installed
    prom = None  # type: ignore[assignment]

LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300)


class Metrics:
    """The bot's metrics; nothing is counted until :meth:`start`."""

    def __init__(self) -> None:
        self.on = False
        self._updates: Any = None
        self._sent: Any = None
        self._latency: Any = None
        self._errors: Any = None

    def start(self, port: int, bind: str, backlog: Callable[[], Backlog]) -> None:
        """Serve the metrics on ``bind:port``; ``backlog`` is read at each scrape."""
        if prom is None:
            raise ConfigError(
                "SUPPORTBOT_METRICS_PORT: prometheus-client is not installed (pip install 'supportbot[metrics]')"
            )
        registry = prom.CollectorRegistry()
        prom.ProcessCollector(registry=registry)
        self._updates = prom.Counter("supportbot_updates", "Updates handled, by kind", ["kind"], registry=registry)
        self._sent = prom.Counter("supportbot_replies_sent", "Replies delivered to customers", registry=registry)
        self._latency = prom.Histogram(
            "supportbot_reply_latency_seconds",
            "From an update received to its replies delivered",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self._errors = prom.Counter("supportbot_errors", "Errors, by kind", ["kind"], registry=registry)
        registry.register(_BacklogCollector(backlog))
        try:
            prom.start_http_server(port, addr=bind, registry=registry)
        except OSError as exc:
            raise ConfigError(f"SUPPORTBOT_METRICS_PORT: cannot listen on {bind}:{port} ({exc.strerror})") from None
        self.on = True
        log.info("metrics served on http://%s:%s/metrics", bind, port)

    def update(self, kind: str) -> None:
        """An update was handled."""
        if self.on:
            self._updates.labels(kind).inc()

    def delivered(self, latency: float, replies: int) -> None:
        """A customer's replies were delivered, ``latency`` seconds after the update came."""
        if self.on:
            self._sent.inc(replies)
            self._latency.observe(latency)

    def error(self, kind: str) -> None:
        """Something failed (a Bot API call by its fault kind, a polling round, handling an update)."""
        if self.on:
            self._errors.labels(kind).inc()


class _BacklogCollector:
    """The backlog gauges, read from the database at each scrape (one read for all three)."""

    def __init__(self, read: Callable[[], Backlog]) -> None:
        self.read = read

    def collect(self) -> Iterator[Any]:
        try:
            now = self.read()
        except Exception as exc:  # a busy or missing database: the scrape shows the rest
            log.warning("could not read the backlog for the metrics (%r)", exc)
            return
        for name, doc, value in (
            ("supportbot_handoffs_waiting", "Customers waiting for a consultant", now.handoffs_waiting),
            ("supportbot_outbox_backlog", "Customers' messages with replies not delivered", now.replies),
            ("supportbot_notice_backlog", "Notices not delivered", now.notices),
        ):
            yield GaugeMetricFamily(name, doc, value=value)

    def describe(self) -> Iterator[Any]:
        return iter(())


METRICS = Metrics()
