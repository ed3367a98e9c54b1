"""Wall-clock time: the one place ``now`` comes from, reading dates from the command line, and windows.

Local time is the system's zone (``TZ`` or ``/etc/localtime``). A local wall time is turned into an
instant with the offset in force on that day, so "Monday 00:00" is right across a DST change; a
window is a pair of aware instants, compared as instants.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from headrub.errors import UsageError

DATE_EXAMPLE = "today, yesterday, monday, 2026-11-20, 2026-11-20T21:30 or '2026-11-20 21:30'"
DATETIME_EXAMPLE = "21:30, 'yesterday 21:30', 'monday 8:00', 2026-11-20T21:30 or '2026-11-20 21:30'"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Words for a day, then optionally a time: "yesterday 21:30", "mon 8:00", "today"; or a bare "21:30".
_HUMAN = re.compile(r"(?:(?P<day>[a-z]+)(?:\s+|$))?(?:(?P<hour>\d{1,2}):(?P<minute>\d{2}))?")
MAX_DAYS = 36_500  # a century: beyond it the arithmetic, not the user, would fail

# The ISO forms accepted: a date, optionally a time (T or a space), optionally an offset.
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}"
    r"(?P<time>[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)


# Dates outside these years are refused: near year 1 and 9999 converting between zones overflows.
MIN_YEAR, MAX_YEAR = 1900, 9998


def now_utc() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def now_local() -> datetime:
    """The current instant, aware, with the local offset in force now."""
    return now_utc().astimezone()


def epoch_ms() -> int:
    """Milliseconds since the Unix epoch, for time-sortable ids."""
    return time.time_ns() // 1_000_000


def localize(naive: datetime) -> datetime:
    """A naive local wall time as an aware instant, with the offset in force at that moment (DST-aware).

    A wall time that does not exist (in the hour skipped when clocks go forward) is moved forward
    by the gap, as a clock would read it: so a day whose midnight is skipped starts when the
    clocks jump, on that same day, never an hour before it on the day before.
    """
    if naive.tzinfo is not None:
        return naive
    aware = naive.astimezone()
    if aware.replace(tzinfo=None) == naive:
        return aware
    return max(naive.replace(fold=0).astimezone(), naive.replace(fold=1).astimezone())


def start_of_day(day: date) -> datetime:
    """00:00 local time on ``day``, aware."""
    return localize(datetime.combine(day, clock_time()))


def _day_word(word: str, today: date) -> date | None:
    """``today``, ``yesterday``, or a weekday's name (or its first three letters): the last such day.

    A weekday means the most recent one there has been, today included: on a Monday, ``monday``
    is today. None when the word is none of these.
    """
    if word == "today":
        return today
    if word == "yesterday":
        return today - timedelta(days=1)
    for index, name in enumerate(WEEKDAYS):
        if word in (name, name[:3]):
            return today - timedelta(days=(today.weekday() - index) % 7)
    return None


def _parse_human(cleaned: str, now: datetime) -> tuple[datetime, bool] | None:
    """The forms people type: ``today``, ``yesterday``, a weekday, ``21:30``, ``yesterday 21:30``."""
    match = _HUMAN.fullmatch(cleaned.lower())
    if match is None or not (match.group("day") or match.group("hour")):
        return None
    day = now.astimezone().date()
    if match.group("day"):
        found = _day_word(match.group("day"), day)
        if found is None:
            return None
        day = found
    if match.group("hour") is None:
        return start_of_day(day), False
    hour, minute = int(match.group("hour")), int(match.group("minute"))
    if hour > 23 or minute > 59:
        return None
    return localize(datetime.combine(day, clock_time(hour, minute))).astimezone(), True


def parse_local(
    text: str, option: str, *, example: str = DATE_EXAMPLE, now: datetime | None = None
) -> tuple[datetime, bool]:
    """``text`` as an aware instant: ``today``, ``yesterday``, a weekday (the last one), a bare time
    (today), a day word and a time, or an ISO date or date-time (local unless it names an offset).

    Returns the instant and whether a time of day was given. Raises ``UsageError`` with an example.
    """
    cleaned = text.strip()
    problem = f"{option}: cannot read {cleaned!r} as a date; use e.g. {example}"
    human = _parse_human(cleaned, now if now is not None else now_local())
    if human is not None:
        return human
    match = _ISO.fullmatch(cleaned)
    if match is None:
        raise UsageError(problem)
    try:
        parsed = datetime.fromisoformat(cleaned)
    except ValueError:
        raise UsageError(problem) from None
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise UsageError(f"{option}: {cleaned!r} is out of range; give a date from {MIN_YEAR} to {MAX_YEAR}")
    try:
        return localize(parsed).astimezone(), match.group("time") is not None
    except (ValueError, OverflowError, OSError):
        raise UsageError(problem) from None


def parse_at(
    text: str, *, now: datetime | None = None, option: str = "--at", lasting: timedelta | None = None
) -> datetime:
    """``--at WHEN``: when a session started, local; it may not start, or end after ``lasting``, in the future."""
    current = now if now is not None else now_local()
    moment, has_time = parse_local(text, option, example=DATETIME_EXAMPLE, now=current)
    if not has_time:
        raise UsageError(f"{option}: give a time of day too, e.g. {DATETIME_EXAMPLE}")
    if moment > current and _names_a_weekday(text):
        # "wed 9:00" on a Wednesday before nine: today's is still to come, so the one a week before.
        local = moment.astimezone()
        moment = localize(datetime.combine(local.date() - timedelta(days=7), local.time())).astimezone()
    if moment > current:
        raise UsageError(f"{option}: {text.strip()} is in the future; give the time the session happened")
    if lasting is not None and moment + lasting > current:
        ends = (moment + lasting).astimezone()
        raise UsageError(
            f"{option}: a session from {moment.astimezone():%H:%M} would end at {ends:%H:%M}, in the future; "
            "give the time it started"
        )
    return moment


def _names_a_weekday(text: str) -> bool:
    """True when ``text`` starts with a weekday's name or its first three letters (``wed 9:00``)."""
    match = _HUMAN.fullmatch(text.strip().lower())
    day = match.group("day") if match else None
    return day is not None and any(day in (name, name[:3]) for name in WEEKDAYS)


@dataclass(frozen=True)
class Window:
    """A span of time: ``since`` inclusive, ``until`` inclusive, either open (None).

    ``label`` reads after "sessions": "this week", "in the last 7 days", "since 2026-11-01".
    """

    since: datetime | None
    until: datetime | None
    label: str

    def contains(self, moment: datetime) -> bool:
        """True when the aware instant ``moment`` falls in the window."""
        if self.since is not None and moment < self.since:
            return False
        return self.until is None or moment <= self.until

    @property
    def is_everything(self) -> bool:
        """True when the window has no bounds."""
        return self.since is None and self.until is None


EVERYTHING = Window(None, None, "so far")


def week_start_date(today: date, week_start: int = 0) -> date:
    """The first day of the week holding ``today``; ``week_start`` 0 is Monday, 6 is Sunday."""
    return today - timedelta(days=(today.weekday() - week_start) % 7)


def make_window(
    *,
    today: bool = False,
    week: bool = False,
    month: bool = False,
    days: int | None = None,
    since: str | None = None,
    until: str | None = None,
    default: str = "week",
    now: datetime | None = None,
    week_start: int = 0,
) -> Window:
    """The window the command-line flags ask for; ``default`` ("week" or "everything") when none.

    At most one of today/week/month/days, and those do not mix with since/until, which combine.
    """
    named = [flag for flag, on in (("--today", today), ("--week", week), ("--month", month)) if on]
    if days is not None:
        named.append("--days")
    if len(named) > 1 or (named and (since is not None or until is not None)):
        given = named + [
            flag for flag, value in (("--since", since), ("--until", until)) if value is not None
        ]
        raise UsageError(
            f"choose one window, not {' and '.join(given)}: --today, --week, --month, --days N, "
            "or --since DATE and/or --until DATE"
        )
    current = (now if now is not None else now_local()).astimezone()
    if today:
        return Window(start_of_day(current.date()), None, "today")
    if month:
        return Window(start_of_day(current.date().replace(day=1)), None, "this month")
    if days is not None:
        if not 1 <= days <= MAX_DAYS:
            raise UsageError(f"--days: give a number of days from 1 to {MAX_DAYS}, e.g. --days 7")
        label = "in the last day" if days == 1 else f"in the last {days} days"
        return Window(current - timedelta(days=days), None, label)
    if since is not None or until is not None:
        return _dated_window(since, until, current)
    if week or default == "week":
        return Window(start_of_day(week_start_date(current.date(), week_start)), None, "this week")
    return EVERYTHING


def _dated_window(since: str | None, until: str | None, now: datetime) -> Window:
    """``--since`` and/or ``--until``: a date means from its 00:00, or through its whole day."""
    since_text = (since or "").strip()
    until_text = (until or "").strip()
    start = end = None
    if since is not None:
        start, _ = parse_local(since, "--since", now=now)
    if until is not None:
        moment, has_time = parse_local(until, "--until", now=now)
        if has_time:
            end = moment
        else:
            try:
                end = start_of_day(moment.date() + timedelta(days=1)) - timedelta(microseconds=1)
            except (OverflowError, ValueError, OSError):
                end = None  # the last day there is: no upper bound
    if start is not None and end is not None and start > end:
        raise UsageError(f"--since {since_text} is after --until {until_text}")
    if since is not None and until is not None:
        label = f"from {since_text} to {until_text}"
    elif since is not None:
        label = f"since {since_text}"
    else:
        label = f"until {until_text}"
    return Window(start, end, label)
