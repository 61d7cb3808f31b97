"""The dashboard's filters, read from a page's query string: the period (the last N days, or
from and to dates), the service and the search words. Anything that does not parse is a
:class:`FilterError` whose message says what to change; the page shows it with status 400.

Days are UTC days, as the daily counts kept after the retention period are."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

MAX_DAYS = 400
DEFAULT_DAYS = 30
MAX_SEARCH_CHARS = 200
MAX_WORDS = 8
MAX_PAGE = 10_000
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


class FilterError(ValueError):
    """A filter the page cannot use; the message is for the person who typed it."""


@dataclass(frozen=True)
class Filters:
    days: int | None  # "the last N days" (None with from/to dates, or no period at all)
    start: date | None  # the first day shown
    end: date | None  # the last day shown
    since: datetime | None
    until: datetime | None
    service: str | None = None
    search: str = ""
    page: int = 1

    @property
    def custom(self) -> bool:
        """The period is from and to dates."""
        return self.days is None and self.start is not None

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.search.split())

    @property
    def period(self) -> str:
        """The period in words, for headings."""
        if self.start is None or self.end is None:
            return "all time"
        if self.days is not None:
            return "the last day" if self.days == 1 else f"the last {self.days} days"
        if self.start == self.end:
            return f"{_date(self.start)}"
        return f"{_date(self.start)} to {_date(self.end)}"

    def query(self, **changes: object) -> str:
        """This page's query string with ``changes`` (for links that keep the filters)."""
        f = replace(self, **changes)  # type: ignore[arg-type]
        params: dict[str, object] = {}
        if f.days is not None:
            params["days"] = f.days
        elif f.start is not None and f.end is not None:
            params["from"], params["to"] = f.start.isoformat(), f.end.isoformat()
        if f.service:
            params["service"] = f.service
        if f.search:
            params["q"] = f.search
        if f.page > 1:
            params["page"] = f.page
        return urlencode(params)


def _date(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _whole(params: Mapping[str, str], name: str, label: str, low: int, high: int) -> int | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise FilterError(f"{label} must be a whole number from {low} to {high:,}, not "
                          f"\u201c{raw[:20]}\u201d.")
    return int(raw)


def _day(params: Mapping[str, str], name: str, label: str) -> date | None:
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise FilterError(f"\u201c{label}\u201d must be a date written as YYYY-MM-DD, such as "
                          f"2026-11-02, not \u201c{raw[:20]}\u201d.")
    if not EARLIEST <= day <= LATEST:
        raise FilterError(f"\u201c{label}\u201d must be a date from {EARLIEST.year} to "
                          f"{LATEST.year}.")
    return day


def parse(params: Mapping[str, str], services: Sequence[str], now: datetime,
          default_days: int | None = DEFAULT_DAYS) -> Filters:
    """The filters in ``params`` (a query string's): ``days``, or ``from`` and ``to``
    (YYYY-MM-DD, either may be left out; they win over ``days``), ``service`` (one of
    ``services``), ``q`` (search words) and ``page``. With no period given, the last
    ``default_days`` days (None: no period)."""
    today = now.astimezone(UTC).date()
    days = _whole(params, "days", "Days to show", 1, MAX_DAYS)
    since: datetime | None
    until: datetime | None
    start, end = _day(params, "from", "From"), _day(params, "to", "To")
    if start or end:  # dates win over a number of days (a form sends both fields)
        days = None
        end = end or max(today, start or today)
        start = start or end - timedelta(days=DEFAULT_DAYS - 1)
        if start > end:
            raise FilterError("\u201cFrom\u201d must be on or before \u201cto\u201d.")
        if (end - start).days + 1 > MAX_DAYS:
            raise FilterError(f"The period can be at most {MAX_DAYS} days long.")
        since = datetime.combine(start, time(), UTC)
        until = datetime.combine(end + timedelta(days=1), time(), UTC)
    else:
        days = days or default_days
        if days is None:
            since = until = None
        else:
            start, end = today - timedelta(days=days - 1), today
            since, until = datetime.combine(start, time(), UTC), now
    service = params.get("service", "").strip() or None
    if service is not None and service not in services:
        raise FilterError(f"There is no service called \u201c{service[:60]}\u201d. Choose one "
                          "from the list, or all services.")
    search = " ".join(params.get("q", "").split())
    if len(search) > MAX_SEARCH_CHARS or len(search.split()) > MAX_WORDS:
        raise FilterError(f"Search for at most {MAX_WORDS} words ({MAX_SEARCH_CHARS} "
                          "characters).")
    page = _whole(params, "page", "Page", 1, MAX_PAGE) or 1
    return Filters(days, start, end, since, until, service, search, page)
