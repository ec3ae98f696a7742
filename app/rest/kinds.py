"""The table of kinds: one row per kind of thing the REST API lists and describes.

A row names the path (`/api/{path}` and `/api/{path}/{key}`), the IRI segment of its items
(`{id base}{segment}/{key}`), the JSON-LD class, the list and detail models, the filters the list
takes and the lookups that answer. The web layer builds both routes of every row from it (with the
row's own models and filters in OpenAPI), and the JSON-LD context reads its classes from it. A new
kind costs a query (`queries/api-{path}.rq`), a model and a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator

from . import models as m
from .lookups import (
    Facts,
    Lookups,
    build_challenge,
    build_concept,
    build_contribution,
    build_core_task,
    build_country,
    build_framework,
    build_operation,
    build_organisation,
    build_person,
    build_source,
    build_summit,
)


def _iso_day(value: object) -> object:
    """Only `YYYY-MM-DD`: pydantic alone would also read a number as a Unix time (`at=0` as 1970-01-01)."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


IsoDay = Annotated[date, BeforeValidator(_iso_day)]


@dataclass(frozen=True)
class Filter:
    """A query parameter of list operations: its type, what it means, its bounds, and for one that names an item
    of the graph, the IRI segment of the items whose keys it takes."""

    name: str
    type: Any  # a type, or an Annotated one
    description: str
    default: Any = None
    ge: int | None = None
    le: int | None = None
    keys: str | None = None


FILTERS = {f.name: f for f in (
    Filter("role", str, "a role key: member, partner, enhanced-opportunities-partner...", keys="role"),
    Filter("framework", str, "a framework key: pfp, eapc, nacc, mediterranean-dialogue, ici, partners-across-the-globe...",
           keys="framework"),
    Filter("at", IsoDay, "only what held on this day, YYYY-MM-DD (the as-of rule: see the README)"),
    Filter("uncertain", bool, "with `at`: also rows whose recorded dates are too coarse to decide (marked certain: false)", False),
    Filter("year", int, "a year, YYYY", ge=1000, le=9999),
    Filter("challenge", str, "a security challenge key: terrorism, piracy, cyber-defence...", keys="challenge"),
    Filter("region", str, "a region key, e.g. afghanistan, balkans", keys="region"),
    Filter("operation", str, "an operation key, e.g. isaf", keys="operation"),
    Filter("country", str, "a country's ISO 3166-1 alpha-3 code, e.g. AUS", keys="country"),
)}


@dataclass(frozen=True)
class Kind:
    path: str  # /api/{path}; its queries are api-{path}-list.rq (the list) and api-{path}.rq (the facts)
    segment: str | None  # the IRI segment of its items; None for views over memberships (members, partners)
    item: type[BaseModel]  # one list item
    detail: type[BaseModel]  # the detail answer
    title: str
    one: str  # the detail operation's summary
    list_doc: str
    detail_doc: str
    filters: tuple[str, ...]
    builder: Callable[[Lookups, str, Facts], Any] | None  # builds one item from its facts; None for views
    detail_item: Callable[[Lookups, str], BaseModel]
    key: str = "key"  # the path parameter's name
    jsonld_class: str | None = None

    def page(self, view: Lookups, *, limit: int, offset: int, **filters: Any) -> m.Page[Any]:
        return view.page(self.path, self.segment, self.builder, limit=limit, offset=offset, **filters)


def _detail(path: str, segment: str, builder: Callable[[Lookups, str, Facts], Any]) -> Callable[[Lookups, str], BaseModel]:
    return lambda view, key: view.detail(path, segment, builder, key)


KINDS: tuple[Kind, ...] = (
    Kind("countries", "country", m.Country, m.CountryDetail, "Countries", "One country",
         "Countries, by ISO 3166-1 alpha-3 key; `role`/`framework` keep those that ever held that role or took part in it.",
         "A country with all its memberships, partnerships and their dates and sources.",
         ("role", "framework"), build_country, Lookups.country, key="iso", jsonld_class="nkg:Country"),
    Kind("members", None, m.Membership, m.Membership, "NATO members", "One member's NATO membership",
         "NATO memberships (Allies), in order of accession; `at` answers who was a member that day, `year` who joined that year.",
         "The NATO membership of a country: since when, and the sources.",
         ("at", "year", "uncertain"), None, Lookups.member, key="iso"),
    Kind("partners", None, m.Membership, m.PartnerDetail, "Partnerships", "One country's partnerships",
         "Partner memberships in NATO's partnership frameworks; `at` answers who was a partner that day.",
         "Every partnership framework a country took part in, with dates and sources.",
         ("framework", "role", "at", "year", "uncertain"), None, Lookups.partner, key="iso"),
    Kind("frameworks", "framework", m.Framework, m.FrameworkDetail, "Partnership frameworks", "One framework",
         "PfP, EAPC, Mediterranean Dialogue, ICI...; `at` keeps those in force that day, `year` those launched that year.",
         "A framework with its launch, successor or predecessor, programmes and its first partnerships.",
         ("at", "year", "challenge", "uncertain"), build_framework, Lookups.framework, jsonld_class="nkg:PartnershipFramework"),
    Kind("summits", "summit", m.Summit, m.Summit, "Summits", "One summit",
         "Summits in date order, with host city, meetings, attendees, decisions and what they launched or adopted.",
         "A summit: when, where, who attended its meetings, what it decided, launched and adopted.",
         ("year", "challenge"), build_summit, _detail("summits", "summit", build_summit), jsonld_class="nkg:Summit"),
    Kind("strategic-concepts", "strategic-concept", m.StrategicConcept, m.StrategicConcept, "Strategic concepts",
         "One strategic concept", "The Strategic Concepts, the summit that adopted each and the core tasks it defines.",
         "A Strategic Concept, where it was adopted and its core tasks.",
         ("year",), build_concept, _detail("strategic-concepts", "strategic-concept", build_concept),
         jsonld_class="nkg:StrategicConcept"),
    Kind("operations", "operation", m.Operation, m.Operation, "Operations", "One operation",
         "NATO-led operations and missions; `year` keeps those running at some time that year.",
         "An operation or mission: dates, region, type, mandate, the challenges it addresses and its contributors.",
         ("region", "year", "challenge"), build_operation, _detail("operations", "operation", build_operation),
         jsonld_class="nkg:Operation"),
    Kind("contributions", "contribution", m.Contribution, m.Contribution, "Contributions to operations", "One contribution",
         "Who contributed to which operation (`operation=isaf`, `country=AUS`), with sources.",
         "A country's contribution to an operation, with sources.",
         ("operation", "country", "region", "challenge"), build_contribution,
         _detail("contributions", "contribution", build_contribution), jsonld_class="nkg:Contribution"),
    Kind("organisations", "organisation", m.Organisation, m.Organisation, "International organisations", "One organisation",
         "NATO, the UN, the EU, the OSCE, the AU... with their acronyms.", "One of the international organisations, by key.",
         (), build_organisation, _detail("organisations", "organisation", build_organisation),
         jsonld_class="nkg:InternationalOrganisation"),
    Kind("core-tasks", "core-task", m.CoreTask, m.CoreTask, "Core tasks", "One of the core tasks",
         "NATO's core tasks, each as worded by one Strategic Concept.", "One of the core tasks, by key.",
         (), build_core_task, _detail("core-tasks", "core-task", build_core_task), jsonld_class="nkg:CoreTask"),
    Kind("challenges", "challenge", m.Challenge, m.Challenge, "Security challenges", "One of the security challenges",
         "Terrorism, piracy, cyber defence...: the frameworks, operations and summits that address each.",
         "One of the security challenges, by key.", (), build_challenge, _detail("challenges", "challenge", build_challenge),
         jsonld_class="nkg:SecurityChallenge"),
    Kind("persons", "person", m.Person, m.PersonDetail, "Persons", "One of the persons",
         "The Secretaries General (their posts are in the detail).", "One of the persons, by key, with their posts.",
         (), build_person, Lookups.person, jsonld_class="nkg:Person"),
    Kind("sources", "source", m.Source, m.Source, "Source documents", "One of the source documents",
         "The public documents read, with URL, title, publisher and retrieval date.", "One of the source documents, by key.",
         (), build_source, _detail("sources", "source", build_source), jsonld_class="nkg:SourceDocument"),
)

# The classes of the graph's other kinds of resources, which the API names but does not list (JSON-LD @type).
OTHER_CLASSES = {
    "programme": "nkg:PartnershipProgramme", "membership": "org:Membership", "role": "nkg:Role", "meeting": "nkg:Meeting",
    "city": "nkg:City", "region": "nkg:Region", "statement": "nkg:Statement", "decision": "nkg:Decision",
    "passage": "nkg:SourcePassage", "operation-type": "nkg:OperationType", "treaty": "nkg:Treaty", "agreement": "nkg:Agreement",
    "suspension": "nkg:Suspension",
}
CLASSES: dict[str, str] = {**{k.segment: k.jsonld_class for k in KINDS if k.segment and k.jsonld_class}, **OTHER_CLASSES}
