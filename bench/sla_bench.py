"""SLA benchmark: 100,000 first-response due times in Colombian working time, and a 100,000-ticket
queue put in policy order; the same due times computed with the `businesstimedelta` package in
the same run, for comparison.

    python bench/sla_bench.py [--tickets N] [--reference-sample N]

Goals (issue 3): 100,000 due times < 1 s, at least 10x faster than businesstimedelta; queue
order < 200 ms. businesstimedelta is slow, so by default it computes a sample and its rate is
extrapolated; `--reference-sample 100000` runs it on every ticket.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import businesstimedelta
import pytz

from desktop_app.domain.business_time import add_working_time, working_time_between
from desktop_app.domain.calendar import BusinessCalendar
from desktop_app.domain.policy import DEFAULT_POLICY
from desktop_app.domain.queue import QueueKey, sort_queue
from desktop_app.holidays_co import ColombianHolidays

BOGOTA = ZoneInfo("America/Bogota")


def workload(count: int) -> list[tuple[datetime, float, int, int]]:
    """(received, response hours, plan rank, severity rank): arrivals over three years, any hour."""
    rng = random.Random(3)
    start = datetime(2025, 1, 1, tzinfo=BOGOTA)
    plans = [(p.code, p.rank) for p in DEFAULT_POLICY.plans]
    out = []
    for _ in range(count):
        received = start + timedelta(seconds=rng.randrange(0, 3 * 365 * 86400))
        plan, rank = rng.choice(plans)
        severity = rng.choice(DEFAULT_POLICY.severities)
        hours = DEFAULT_POLICY.response_hours[(plan, severity)]
        out.append((received, hours, rank, DEFAULT_POLICY.severity_rank(severity)))
    return out


def reference_rules(holidays: ColombianHolidays) -> businesstimedelta.Rules:
    tz = pytz.timezone("America/Bogota")
    days = [d for year in range(2024, 2031) for d, _name in holidays.in_year(year)]
    return businesstimedelta.Rules(
        [
            businesstimedelta.WorkDayRule(
                start_time=datetime.min.time().replace(hour=8),
                end_time=datetime.min.time().replace(hour=18),
                working_days=[0, 1, 2, 3, 4],
                tz=tz,
            ),
            businesstimedelta.LunchTimeRule(
                start_time=datetime.min.time().replace(hour=12),
                end_time=datetime.min.time().replace(hour=14),
                working_days=[0, 1, 2, 3, 4],
                tz=tz,
            ),
            businesstimedelta.HolidayRule(days, tz=tz),
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--reference-sample", type=int, default=5_000)
    args = parser.parse_args()

    holidays = ColombianHolidays()
    calendar = BusinessCalendar("America/Bogota", DEFAULT_POLICY.working_hours, holidays)
    tickets = workload(args.tickets)
    # Warm-up: holiday years and running totals are built once per process, like in the app.
    add_working_time(calendar, tickets[0][0], timedelta(hours=1))
    for year in range(2024, 2031):
        holidays.in_year(year)

    runs = []
    for _ in range(3):
        started = time.perf_counter()
        ours = [add_working_time(calendar, received, timedelta(hours=hours)) for received, hours, _p, _s in tickets]
        runs.append(time.perf_counter() - started)
    ours_time = statistics.median(runs)
    print(
        f"due times, makeR Soporte     {args.tickets:>7,} tickets  {ours_time * 1000:8.1f} ms "
        f"({args.tickets / ours_time:,.0f}/s)   goal < 1000 ms"
    )

    rules = reference_rules(holidays)
    sample = tickets[: args.reference_sample]
    utc = pytz.utc
    started = time.perf_counter()
    theirs = [
        (received.astimezone(utc) + businesstimedelta.BusinessTimeDelta(rules, hours=hours))
        for received, hours, _p, _s in sample
    ]
    ref_time = time.perf_counter() - started
    per_ticket = ref_time / len(sample)
    print(
        f"due times, businesstimedelta {len(sample):>7,} tickets  {ref_time * 1000:8.1f} ms "
        f"({len(sample) / ref_time:,.0f}/s) → {per_ticket * args.tickets:.1f} s for {args.tickets:,}"
    )
    speedup = (per_ticket * args.tickets) / ours_time
    print(f"speed-up                     {speedup:8.1f}x   goal >= 10x")

    # Same answers? Compare in working time: 12:00 and 14:00 are the same working instant.
    disagree = sum(
        1
        for ours_due, their_due in zip(ours, theirs, strict=False)
        if working_time_between(calendar, ours_due, their_due.astimezone(BOGOTA)) != timedelta(0)
    )
    print(f"agreement on the sample      {len(sample) - disagree:,} of {len(sample):,} due times equal in working time")

    keys = [QueueKey(p, s, received, n) for n, (received, _h, p, s) in enumerate(tickets)]
    random.Random(5).shuffle(keys)
    runs = []
    for _ in range(5):
        started = time.perf_counter()
        ordered = sort_queue(keys, key=lambda k: k)
        runs.append(time.perf_counter() - started)
    assert all(a <= b for a, b in pairwise(ordered))
    order_ms = statistics.median(runs) * 1000
    print(f"queue order (R8)             {args.tickets:>7,} tickets  {order_ms:8.1f} ms   goal < 200 ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
