"""The question natokg exists to answer, asked day by day: who was NATO's Ally or partner on day D?

The answers of the named queries and of the REST API are checked against an oracle written here from
data/README.md's rule alone (read off the raw instants, not the store's derived bounds), on the days
around every change the data records (each start, end and suspension: the day before, the first and the
last day it may fall on, the day after). And the answers must be coherent: no country an Ally and a
partner on one day, no meeting with a partner who was not one that day.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF

from app.core.settings import Settings
from app.kg.sources import load_sources

ORG = Namespace("http://www.w3.org/ns/org#")
TIME = Namespace("http://www.w3.org/2006/time#")
NKG = Namespace("https://w3id.org/natokg/ontology#")
SCHEMA = Namespace("https://schema.org/")
ID = "https://w3id.org/natokg/id/"
NATO = URIRef(ID + "organisation/nato")
PARTNER_ROLES = {URIRef(ID + "role/partner"), URIRef(ID + "role/enhanced-opportunities-partner")}


@dataclass(frozen=True)
class Window:
    """The first and last day a recorded instant may fall on."""

    first: date
    last: date


def _window(graph: Graph, instant: object) -> Window | None:
    value = next((v for p in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear) for v in graph.objects(instant, p)), None)
    if value is None:
        return None
    text = str(value)
    year = int(text[:4])
    if len(text) == 10:
        first = last = date.fromisoformat(text)
    elif len(text) == 7:
        month = int(text[5:7])
        first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    else:
        first, last = date(year, 1, 1), date(year, 12, 31)
    not_before = next(iter(graph.objects(instant, NKG.notBefore)), None)
    not_after = next(iter(graph.objects(instant, NKG.notAfter)), None)
    return Window(max(first, not_before.toPython()) if not_before is not None else first,
                  min(last, not_after.toPython()) if not_after is not None else last)


@dataclass(frozen=True)
class Period:
    start: Window | None
    end: Window | None
    end_unknown: bool

    def on(self, day: date) -> str | None:
        """data/README.md: certain when it has surely begun and surely not ended; possible when it may have."""
        if self.start is not None and day < self.start.first:
            return None
        if self.end is not None and day >= self.end.last:
            return None
        begun = self.start is not None and self.start.last <= day
        if self.end_unknown:
            return "possible"
        return "certain" if begun and (self.end is None or day < self.end.first) else "possible"


def _period(graph: Graph, interval: object) -> Period:
    begin = next(iter(graph.objects(interval, TIME.hasBeginning)), None)
    end = next(iter(graph.objects(interval, TIME.hasEnd)), None)
    return Period(_window(graph, begin) if begin is not None else None, _window(graph, end) if end is not None else None,
                  (interval, NKG.endUnknown, Literal(True)) in graph)


@dataclass(frozen=True)
class Held:
    membership: str
    member: str
    organization: str
    role: str
    period: Period
    suspensions: tuple[Period, ...]

    def on(self, day: date) -> tuple[bool, str | None] | None:
        """(certain, suspended) on `day`, or None when not held."""
        held = self.period.on(day)
        if held is None:
            return None
        states = [s.on(day) for s in self.suspensions]
        suspended = "certain" if "certain" in states else ("possible" if "possible" in states else None)
        return held == "certain", suspended


@pytest.fixture(scope="module")
def memberships(settings: Settings) -> list[Held]:
    graph = load_sources(settings).data
    suspensions: dict[object, list[Period]] = {}
    for suspension in graph.subjects(RDF.type, NKG.Suspension):
        target = next(graph.objects(suspension, NKG.suspends))
        suspensions.setdefault(target, []).append(_period(graph, next(graph.objects(suspension, TIME.hasTime))))
    return [Held(str(m), str(next(graph.objects(m, ORG.member))), str(next(graph.objects(m, ORG.organization))),
                 str(next(graph.objects(m, ORG.role))), _period(graph, next(graph.objects(m, ORG.memberDuring))),
                 tuple(suspensions.get(m, ())))
            for m in graph.subjects(RDF.type, ORG.Membership)]


def _change_days(rows: list[Held]) -> list[date]:
    days: set[date] = set()
    for row in rows:
        for period in (row.period, *row.suspensions):
            for window in (period.start, period.end):
                if window is not None:
                    days |= {window.first - timedelta(days=1), window.first, window.last, window.last + timedelta(days=1)}
    return sorted(days)


def _countries(rows: list[Held]) -> list[Held]:
    return [r for r in rows if r.member.startswith(ID + "country/")]


def _partner_rows(rows: list[Held]) -> list[Held]:
    return [r for r in _countries(rows) if "/framework/" in r.organization and URIRef(r.role) in PARTNER_ROLES]


def _every_page(client: TestClient, path: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    while True:
        body = client.get(f"{path}&limit=500&offset={len(items)}").json()
        items += body["items"]
        if len(items) >= body["total"]:
            return items


def _named(client: TestClient, name: str, day: date) -> list[dict[str, str]]:
    response = client.get(f"/api/queries/{name}", params={"date": day.isoformat()}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def _sample(days: list[date], count: int) -> list[date]:
    """Spread over the whole list, so that every decade of changes is tested, in bounded time."""
    step = max(1, len(days) // count)
    return days[::step]


def test_partners_on_every_change_day_match_the_rule(client: TestClient, memberships: list[Held]) -> None:
    partners = _partner_rows(memberships)
    days = _change_days(partners)
    assert len(days) > 100
    for day in _sample(days, 150):
        expected = {(r.membership, *state) for r in partners if (state := r.on(day)) is not None}
        answered = {(row["membership"], row["certain"] == "true", row.get("suspended")) for row in _named(client, "partners-on-date", day)}
        assert answered == expected, day


def test_members_on_every_change_day_match_the_rule(client: TestClient, memberships: list[Held]) -> None:
    allies = [r for r in _countries(memberships) if r.organization == str(NATO) and r.role == ID + "role/member"]
    for day in [*_change_days(allies), date(1949, 8, 23), date(2026, 12, 3)]:
        expected = {(r.member, state[0]) for r in allies if (state := r.on(day)) is not None}
        answered = {(row["country"], row["certain"] == "true") for row in _named(client, "members-on-date", day)}
        assert answered == expected, day


@pytest.mark.parametrize("day", ["1991-12-20", "1994-01-26", "1996-10-15", "1997-05-30", "1999-03-12", "2005-02-01",
                                 "2012-05-21", "2014-04-01", "2014-09-05", "2021-11-15", "2024-03-07", "2025-06-01"])
def test_rest_and_named_queries_agree(client: TestClient, day: str) -> None:
    named = {(row["membership"], row["certain"] == "true", row.get("suspended"))
             for row in _named(client, "partners-on-date", date.fromisoformat(day))}
    rest = {(str(r["id"]), r["asOf"]["certain"], r["asOf"]["suspended"])  # type: ignore[index]
            for r in _every_page(client, f"/api/partners?at={day}&uncertain=true")}
    assert rest == named
    certain_only = {str(r["id"]) for r in _every_page(client, f"/api/partners?at={day}")}
    assert certain_only == {m for m, certain, _ in named if certain}
    allies = {row["country"] for row in _named(client, "members-on-date", date.fromisoformat(day)) if row["certain"] == "true"}
    assert allies == {str(r["member"]["id"]) for r in _every_page(client, f"/api/members?at={day}")}  # type: ignore[index]


def test_no_country_is_an_ally_and_a_partner_on_one_day(client: TestClient, memberships: list[Held]) -> None:
    accessions = sorted({r.period.start.first for r in _countries(memberships)
                         if r.organization == str(NATO) and r.period.start is not None})
    for day in accessions:
        allies = {row["country"] for row in _named(client, "members-on-date", day)}
        partners = {row["country"] for row in _named(client, "partners-on-date", day)}
        assert allies & partners == set(), day


def test_no_meeting_lists_a_partner_that_was_not_one_that_day(client: TestClient, settings: Settings, memberships: list[Held]) -> None:
    graph = load_sources(settings).data
    partners = _partner_rows(memberships)
    allies = [r for r in _countries(memberships) if r.organization == str(NATO)]
    checked = 0
    for meeting in graph.subjects(RDF.type, NKG.Meeting):
        interval = next(graph.objects(meeting, TIME.hasTime), None)
        begin = next(graph.objects(interval, TIME.hasBeginning), None) if interval is not None else None
        window = _window(graph, begin) if begin is not None else None
        if window is None:
            continue
        for attendee in graph.objects(meeting, SCHEMA.attendee):
            if not str(attendee).startswith(ID + "country/"):
                continue
            day = window.last
            if any(r.member == str(attendee) and r.on(day) for r in allies):
                continue
            checked += 1
            assert any(r.member == str(attendee) and r.on(day) for r in partners), f"{attendee} at {meeting} on {day}"
    assert checked > 20
