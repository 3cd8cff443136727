"""Reference data of the marketing source system (advertisers, campaigns with budgets), as it
evolves over the generated days, and loading it into a relational source by SQLAlchemy URL.

The campaigns are the generator's own (same ids and channels for the same seed); a few change
during the period — a rename, a budget change, an advertiser rename, a campaign removed and one
added — so the dimensions have history to keep.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from airlake.database_url import check_database_url
from airlake.errors import UserError

ADVERTISERS = (
    "Northwind Outdoor",
    "Contoso Travel",
    "Fabrikam Home",
    "Tailspin Toys",
    "Wide World Books",
    "Adventure Works",
    "Proseware Fitness",
    "Litware Audio",
    "Alpine Ski House",
    "Coho Winery",
)
_WORDS = (
    "Spring",
    "Summer",
    "Autumn",
    "Winter",
    "Launch",
    "Retarget",
    "Brand",
    "Promo",
    "Loyalty",
    "Flash",
)


@dataclass(frozen=True, slots=True)
class Version:
    table: str
    key: str
    row: dict[str, Any]
    updated_at: datetime
    deleted: bool = False


def history(start: date, days: int, seed: int, campaigns: int = 50) -> list[Version]:
    """Every version of every row over the period (deterministic per seed)."""
    from airlake.generator import campaigns as generator_campaigns

    created = datetime.combine(start - timedelta(days=30), time(9), tzinfo=UTC)
    rng = random.Random(seed + 1)
    out: list[Version] = []
    for i, name in enumerate(ADVERTISERS, start=1):
        out.append(
            Version(
                "advertisers",
                f"adv-{i:02d}",
                {"advertiser_id": f"adv-{i:02d}", "name": name},
                created,
            )
        )
    camps = generator_campaigns(random.Random(seed), campaigns)
    rows: dict[str, dict[str, Any]] = {}
    for i, c in enumerate(camps):
        row: dict[str, Any] = {
            "campaign_id": c.campaign_id,
            "advertiser_id": f"adv-{i % len(ADVERTISERS) + 1:02d}",
            "name": f"{rng.choice(_WORDS)} {c.channel} {c.campaign_id[-3:]}",
            "channel": c.channel,
            "daily_budget": Decimal(rng.randint(50, 2000)),
        }
        rows[c.campaign_id] = row
        out.append(Version("campaigns", c.campaign_id, row, created))
    if days >= 2 and camps:
        day2 = datetime.combine(start + timedelta(days=1), time(10), tzinfo=UTC)
        first = camps[0].campaign_id
        out.append(
            Version(
                "campaigns",
                first,
                {**rows[first], "name": rows[first]["name"] + " (relaunch)"},
                day2,
            )
        )
        if len(camps) > 1:
            second = camps[1].campaign_id
            out.append(
                Version(
                    "campaigns",
                    second,
                    {**rows[second], "daily_budget": rows[second]["daily_budget"] * 2},
                    day2,
                )
            )
    if days >= 3 and len(camps) > 2:
        day3 = datetime.combine(start + timedelta(days=2), time(9), tzinfo=UTC)
        out.append(
            Version(
                "advertisers",
                "adv-01",
                {"advertiser_id": "adv-01", "name": ADVERTISERS[0] + " Group"},
                day3,
            )
        )
        last = camps[-1].campaign_id
        out.append(Version("campaigns", last, rows[last], day3, deleted=True))
        new_id = f"cmp-{len(camps) + 1:03d}"
        out.append(
            Version(
                "campaigns",
                new_id,
                {
                    "campaign_id": new_id,
                    "advertiser_id": "adv-02",
                    "name": f"Launch search {new_id[-3:]}",
                    "channel": "search",
                    "daily_budget": Decimal(300),
                },
                day3,
            )
        )
    return out


def state_as_of(versions: list[Version], moment: datetime) -> dict[str, list[dict[str, Any]]]:
    """The source tables' content at ``moment``: each key's latest version, deleted ones gone."""
    latest: dict[tuple[str, str], Version] = {}
    for v in sorted(versions, key=lambda v: v.updated_at):
        if v.updated_at <= moment:
            latest[(v.table, v.key)] = v
    tables: dict[str, list[dict[str, Any]]] = {"advertisers": [], "campaigns": []}
    for (table, _), v in sorted(latest.items()):
        if not v.deleted:
            tables[table].append({**v.row, "updated_at": v.updated_at})
    return tables


def load(url: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Replace the source tables' content (creating them if needed), in one transaction."""
    import sqlalchemy as sa

    from airlake.source_schema import source_metadata

    meta = source_metadata()
    advertisers, campaigns = meta.tables["advertisers"], meta.tables["campaigns"]
    check_database_url(url, "--source-url")
    try:
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            meta.create_all(conn, tables=[advertisers, campaigns])
            for table in (campaigns, advertisers):
                conn.execute(table.delete())
            if tables["advertisers"]:
                conn.execute(advertisers.insert(), tables["advertisers"])
            if tables["campaigns"]:
                conn.execute(campaigns.insert(), tables["campaigns"])
        engine.dispose()
    except sa.exc.SQLAlchemyError as exc:
        raise UserError(
            f"cannot load the reference data into {url}: {str(exc).splitlines()[0]}"
        ) from None


def end_of(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC) - timedelta(
        microseconds=1
    )
