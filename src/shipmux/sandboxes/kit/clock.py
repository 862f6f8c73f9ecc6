"""Simulated time for sandboxes: real time plus an offset that tests can push forward.

Every timestamp a sandbox stores or compares (createdOn, downtime windows, delayed
documents) comes from a ``SandboxClock`` so a test can jump hours ahead without sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SandboxClock:
    """Wall clock shifted by an adjustable offset; always timezone-aware UTC."""

    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, seconds: float) -> datetime:
        """Move simulated time forward (never backwards: stored timestamps must stay ordered)."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self._offset += timedelta(seconds=seconds)
        return self.now()

    @property
    def offset_seconds(self) -> float:
        return self._offset.total_seconds()

    def reset(self) -> None:
        self._offset = timedelta()


def format_timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with microseconds and a ``Z`` suffix, the form carriers commonly return."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_timestamp(text: str) -> datetime:
    """Parse an ISO 8601 date-time; naive values are taken as UTC.

    Raises ``ValueError`` for anything that is not a date-time.
    """
    if not isinstance(text, str) or not text:
        raise ValueError("not a date-time")
    normalized = text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text
    parsed = datetime.fromisoformat(normalized)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
