"""Opening hours of a phone line or office, and whether it is open now (Europe/London time).

Written in the council file as day ranges and times, so customer-service teams can review them:

    open:
      mon-thu: "09:00-17:00"
      fri: "09:00-16:30"
    # or: open: "24/7"

Bank holidays come from the council file's ``closed_on`` list (dates the lines are shut).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from askcouncil.errors import ConfigError

LONDON = ZoneInfo("Europe/London")
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# What the hours are said with, in English and Welsh (Welsh day names follow "dydd"/"ddydd":
# "dydd Llun i ddydd Gwener", "yn agor ddydd Llun").
WORDS: dict[str, dict[str, Any]] = {
    "en": {"days": DAY_NAMES, "one_day": "{}", "two_days": "{} and {}", "day_range": "{} to {}",
           "span": "{}, {} to {}", "and": ", and ", "always": "24 hours a day, 7 days a week",
           "open_always": "open 24 hours", "open_until": "open now until {}",
           "closed": "closed now", "today": "today", "tomorrow": "tomorrow", "on_day": "{}",
           "opens": "closed now; opens {} at {}"},
    "cy": {"days": ["Llun", "Mawrth", "Mercher", "Iau", "Gwener", "Sadwrn", "Sul"],
           "one_day": "dydd {}", "two_days": "dydd {} a dydd {}",
           "day_range": "dydd {} i ddydd {}", "span": "{}, {} i {}", "and": ", a ",
           "always": "24 awr y dydd, 7 diwrnod yr wythnos", "open_always": "ar agor 24 awr",
           "open_until": "ar agor nawr tan {}", "closed": "ar gau nawr", "today": "heddiw",
           "tomorrow": "yfory", "on_day": "ddydd {}",
           "opens": "ar gau nawr; yn agor {} am {}"},
}
SPAN = re.compile(r"^(\d{1,2}):(\d\d)\s*-\s*(\d{1,2}):(\d\d)$")


@dataclass(frozen=True)
class OpeningHours:
    """Per weekday (0 = Monday) the (open, close) times; no entry means closed that day."""

    days: tuple[tuple[int, time, time], ...] = ()
    always: bool = False
    closed_on: frozenset[date] = frozenset()

    @classmethod
    def parse(cls, spec: object, closed_on: frozenset[date] = frozenset()) -> OpeningHours:
        if spec in ("24/7", "always"):
            return cls(always=True)
        if not isinstance(spec, dict) or not spec:
            raise ConfigError(f'opening hours must be "24/7" or a mapping like '
                              f'{{mon-fri: "09:00-17:00"}}, not {spec!r}')
        days: dict[int, tuple[time, time]] = {}
        for key, value in spec.items():
            for day in _day_range(str(key)):
                m = SPAN.match(str(value).strip())
                if not m:
                    raise ConfigError(f'opening hours for {key!r} must look like "09:00-17:00", '
                                      f"not {value!r}")
                opens = time(int(m.group(1)), int(m.group(2)))
                closes = time(int(m.group(3)), int(m.group(4)))
                if closes <= opens:
                    raise ConfigError(f"opening hours for {key!r} close before they open")
                days[day] = (opens, closes)
        return cls(tuple((d, o, c) for d, (o, c) in sorted(days.items())), False, closed_on)

    def _today(self, day: date) -> tuple[time, time] | None:
        if day in self.closed_on:
            return None
        for weekday, opens, closes in self.days:
            if weekday == day.weekday():
                return opens, closes
        return None

    def is_open(self, now: datetime) -> bool:
        if self.always:
            return True
        local = now.astimezone(LONDON)
        today = self._today(local.date())
        return today is not None and today[0] <= local.time() < today[1]

    def next_opening(self, now: datetime) -> datetime | None:
        """When it next opens (London time), within a fortnight; None if always open or never."""
        if self.always or not self.days:
            return None
        local = now.astimezone(LONDON)
        for ahead in range(15):
            day = local.date() + timedelta(days=ahead)
            today = self._today(day)
            if today is None:
                continue
            opens = datetime.combine(day, today[0], LONDON)
            if opens > local:
                return opens
        return None

    def status(self, now: datetime, lang: str = "en") -> str:
        """"open now until 5pm", "closed now; opens Monday at 9am" or "open 24 hours"; in
        Welsh (``lang="cy"``) "ar agor nawr tan 5pm", "ar gau nawr; yn agor ddydd Llun am 9am"."""
        say = WORDS[lang]
        if self.always:
            return say["open_always"]
        local = now.astimezone(LONDON)
        if self.is_open(local):
            today = self._today(local.date())
            assert today is not None
            return say["open_until"].format(clock(today[1]))
        nxt = self.next_opening(local)
        if nxt is None:
            return say["closed"]
        if nxt.date() == local.date():
            when = say["today"]
        elif nxt.date() == local.date() + timedelta(days=1):
            when = say["tomorrow"]
        else:
            when = say["on_day"].format(say["days"][nxt.weekday()])
        return say["opens"].format(when, clock(nxt.time()))

    def describe(self, lang: str = "en") -> str:
        """Plain English: "Monday to Thursday, 9am to 5pm, and Friday, 9am to 4:30pm"; in Welsh
        "Dydd Llun i ddydd Iau, 9am i 5pm, a dydd Gwener, 9am i 4:30pm"."""
        say = WORDS[lang]
        if self.always:
            return say["always"]
        days = say["days"]
        parts = []
        for first, last, opens, closes in self._groups():
            names = say["one_day"].format(days[first]) if first == last else (
                say["two_days"] if last == first + 1 else say["day_range"]
            ).format(days[first], days[last])
            parts.append(say["span"].format(names, clock(opens), clock(closes)))
        text = say["and"].join(parts)
        return text[:1].upper() + text[1:]

    def _groups(self) -> list[tuple[int, int, time, time]]:
        """Runs of days with the same hours: (first day, last day, opens, closes)."""
        groups: list[tuple[int, int, time, time]] = []
        for day, opens, closes in self.days:
            if groups and groups[-1][1] == day - 1 and groups[-1][2:] == (opens, closes):
                groups[-1] = (groups[-1][0], day, opens, closes)
            else:
                groups.append((day, day, opens, closes))
        return groups


def clock(t: time) -> str:
    """9am, 4:30pm, 12pm (the GOV.UK style)."""
    hour = t.hour % 12 or 12
    suffix = "am" if t.hour < 12 else "pm"
    return f"{hour}{suffix}" if t.minute == 0 else f"{hour}:{t.minute:02d}{suffix}"


def _day_range(key: str) -> list[int]:
    key = key.strip().lower()
    if key in ("daily", "every day"):
        return list(range(7))
    if key == "weekdays":
        return list(range(5))
    first, _, last = key.partition("-")
    try:
        a = DAYS.index(first[:3])
        b = DAYS.index(last[:3]) if last else a
    except ValueError:
        raise ConfigError(
            f"unknown day {key!r}: use mon, tue, ... sun, or ranges like mon-fri") from None
    if b < a:
        raise ConfigError(f"day range {key!r} runs backwards")
    return list(range(a, b + 1))


# -- reading hours as pages write them ---------------------------------------------------------

_DAY = r"(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs?)?|Fri|Sat(?:ur)?|Sun)(?:day)?s?"
_CLOCK = r"(?:\d{1,2}(?:[:.]\d\d)?\s?(?:am|pm)|\d{1,2}[:.]\d\d|midday|noon|midnight)"
_DAYS = rf"(?P<d1>{_DAY})(?:\s*(?P<join>to|-|–|and|&)\s*(?P<d2>{_DAY}))?"
_TIMES = rf"(?P<t1>{_CLOCK})\s*(?:to|-|–|until|till)\s*(?P<t2>{_CLOCK})"
# "Monday to Friday, 9am to 5pm", "Monday to Friday: 8:30am - 5pm", "9am to 5pm, Monday to Friday"
_DAYS_THEN_TIMES = re.compile(rf"\b{_DAYS}(?:\s*(?:,|:|from|\(|–|-)\s*|\s+){_TIMES}", re.I)
_TIMES_THEN_DAYS = re.compile(rf"\b{_TIMES}(?:\s*,\s*|\s+)(?:on\s+)?{_DAYS}\b", re.I)
_ALWAYS = re.compile(r"\b24 hours a day\b|\b24/7\b|\bany time,? day or night\b|"
                     r"\b24 hours,? 7 days a week\b|\b24-hour service\b", re.I)


@dataclass(frozen=True)
class HoursText:
    """Opening hours as a page wrote them, read into the council file's form: ``spec`` is
    ``"24/7"`` or a mapping like ``{"mon-fri": "09:00-17:00"}``; ``text`` is the words read."""

    spec: str | dict[str, str]
    text: str


def read_hours(text: str) -> HoursText | None:
    """The weekly opening hours a sentence gives ("Monday to Thursday, 9am to 5pm, and Friday,
    9am to 4:30pm"; "8am to 6pm, Monday to Friday"; "24 hours a day"), or None when it gives
    none or gives something this cannot read for certain (a day or a time it cannot place)."""
    found: dict[int, tuple[time, time]] = {}
    spans: list[tuple[int, int]] = []
    for pattern in (_DAYS_THEN_TIMES, _TIMES_THEN_DAYS):
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in spans):
                continue
            days = _days_named(m.group("d1"), m.group("join"), m.group("d2"))
            opens, closes = _clock(m.group("t1"), False), _clock(m.group("t2"), True)
            if days is None or opens is None or closes is None or closes <= opens:
                return None
            for day in days:
                found.setdefault(day, (opens, closes))
            spans.append((m.start(), m.end()))
    if not found:
        always = _ALWAYS.search(text)
        return HoursText("24/7", always.group(0)) if always else None
    spec = {_day_key(first, last): f"{o:%H:%M}-{c:%H:%M}" for first, last, o, c
            in OpeningHours(tuple((d, o, c) for d, (o, c) in sorted(found.items())))._groups()}
    first, last = min(a for a, _ in spans), max(b for _, b in spans)
    return HoursText(spec, text[first:last])


def _days_named(first: str, join: str | None, last: str | None) -> list[int] | None:
    a = _weekday(first)
    b = _weekday(last) if last else a
    if a is None or b is None:
        return None
    if join and join.lower() in ("and", "&"):
        return [a, b]
    return list(range(a, b + 1)) if b >= a else None


def _weekday(name: str) -> int | None:
    key = name.lower()[:3]
    return DAYS.index(key) if key in DAYS else None


def _day_key(first: int, last: int) -> str:
    return DAYS[first] if first == last else f"{DAYS[first]}-{DAYS[last]}"


def _clock(word: str, closing: bool) -> time | None:
    """"9am" 09:00, "4:30pm" 16:30, "17.00" 17:00, "midday" 12:00; "midnight" closing is 23:59."""
    word = word.lower().replace(" ", "")
    if word in ("midday", "noon"):
        return time(12, 0)
    if word == "midnight":
        return time(23, 59) if closing else time(0, 0)
    m = re.fullmatch(r"(\d{1,2})(?:[:.](\d\d))?(am|pm)?", word)
    if not m:
        return None
    hour, minute = int(m.group(1)), int(m.group(2) or 0)
    if m.group(3) == "pm" and hour != 12:
        hour += 12
    elif m.group(3) == "am" and hour == 12:
        hour = 0
    return time(hour, minute) if hour < 24 and minute < 60 else None


# -- England and Wales bank holidays ----------------------------------------------------------

def bank_holidays(year: int) -> list[date]:
    """The bank holidays of England and Wales in ``year`` (GOV.UK's rules: New Year's Day, Good
    Friday, Easter Monday, the first and last Mondays of May, the last Monday of August,
    Christmas Day and Boxing Day, each moved to the next weekday when it falls at a weekend).
    Years with a one-off change (a coronation, a jubilee) need it added by hand."""
    from datetime import timedelta

    easter = _easter(year)

    def monday(first: date, last: bool = False) -> date:
        step = timedelta(days=-1 if last else 1)
        while first.weekday() != 0:
            first += step
        return first

    new_year = date(year, 1, 1)
    while new_year.weekday() >= 5:
        new_year += timedelta(days=1)
    days = [new_year, easter - timedelta(days=2), easter + timedelta(days=1),
            monday(date(year, 5, 1)), monday(date(year, 5, 31), last=True),
            monday(date(year, 8, 31), last=True)]
    xmas, box = _christmas(year)
    return sorted(days + [xmas, box])


def _christmas(year: int) -> tuple[date, date]:
    from datetime import timedelta

    xmas, box = date(year, 12, 25), date(year, 12, 26)
    if xmas.weekday() == 5:  # Saturday: Monday and Tuesday
        return xmas + timedelta(days=2), xmas + timedelta(days=3)
    if xmas.weekday() == 6:  # Sunday: Tuesday (substitute), Boxing Day Monday
        return xmas + timedelta(days=2), box
    if box.weekday() == 5:  # Boxing Day Saturday: Monday
        return xmas, box + timedelta(days=2)
    return xmas, box


def _easter(year: int) -> date:
    """Easter Sunday (the Anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)
