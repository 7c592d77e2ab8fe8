"""The fixed moment the self-check renders and converses at: a Monday morning, consultants in."""

from __future__ import annotations

from datetime import UTC, datetime

MOMENT = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
