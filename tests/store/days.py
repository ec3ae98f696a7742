"""The days on which the as-of rule may decide differently: what the list index's answers are compared on."""

from __future__ import annotations

from datetime import date, timedelta

import pyoxigraph as ox

BOUNDS = """PREFIX nkg: <https://w3id.org/natokg/ontology#>
SELECT DISTINCT ?day WHERE { ?fact nkg:earliestStart|nkg:latestStart|nkg:earliestEnd|nkg:latestEnd ?day }"""


def changing_days(store: ox.Store) -> list[str]:
    """Every day a membership or suspension may begin or end in `store`, the day before it, and a few plain ones."""
    days = {"1949-04-04", "1994-01-10", "2000-01-01", "2014-04-01", "2022-02-24", "2026-01-01"}
    result = store.query(BOUNDS)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        day = row["day"].value
        days |= {day, (date.fromisoformat(day) - timedelta(days=1)).isoformat()}
    return sorted(days)
