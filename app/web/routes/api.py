"""REST lookups under /api/: a list and a detail operation for every kind of thing in the graph.

Lists take `limit`/`offset` and answer the total and RFC 8288 `Link` headers; labels come in the
language of `lang` or `Accept-Language` (else English), each saying its language; every fact carries
its sources. `Accept: application/ld+json` gives the same answer as JSON-LD with an inline context.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from app.core.errors import NotFound
from app.rest import models as m
from app.rest.lookups import page
from app.web.rest_responses import lookups, respond

router = APIRouter(prefix="/api", tags=["REST lookups"])

Lang = Annotated[str | None, Query(max_length=35, description="label language (en, fr); default: Accept-Language, else en")]
Limit = Annotated[int, Query(ge=1, le=500, description="page size")]
Offset = Annotated[int, Query(ge=0, description="items to skip")]
At = Annotated[date | None, Query(description="only what was held on this day, YYYY-MM-DD (see the as-of rule in the README)")]
Uncertain = Annotated[bool, Query(description="with `at`: also rows whose recorded dates are too coarse to decide (marked)")]
Year = Annotated[int | None, Query(ge=1000, le=9999, description="a year, YYYY")]
FrameworkKey = Annotated[str | None, Query(description="a framework key: pfp, eapc, mediterranean-dialogue, ici...")]
RoleKey = Annotated[str | None, Query(description="a role key: member, partner, enhanced-opportunities-partner...")]
ChallengeKey = Annotated[str | None, Query(description="a security challenge key: terrorism, piracy, cyber-defence...")]
RegionKey = Annotated[str | None, Query(description="a region key, e.g. afghanistan, balkans")]
JSONLD: dict[int | str, dict[str, Any]] = {200: {"content": {"application/ld+json": {}}}, 400: {}, 404: {}, 406: {}}


@router.get("/countries", summary="Countries", response_model=m.Page[m.Country], responses=JSONLD)
def countries(request: Request, role: RoleKey = None, framework: FrameworkKey = None, lang: Lang = None,
              limit: Limit = 50, offset: Offset = 0) -> Response:
    """Countries, by ISO 3166-1 alpha-3 key; `role`/`framework` keep those that ever held that role or took part in it."""
    view = lookups(request, lang)
    return respond(request, page(view.countries(role=role, framework=framework), limit, offset), view.lang)


@router.get("/countries/{iso}", summary="One country", response_model=m.CountryDetail, responses=JSONLD)
def country(request: Request, iso: str, lang: Lang = None) -> Response:
    """A country with all its memberships, partnerships and their dates and sources."""
    view = lookups(request, lang)
    return respond(request, view.country(iso), view.lang)


@router.get("/members", summary="NATO members", response_model=m.Page[m.Membership], responses=JSONLD)
def members(request: Request, at: At = None, year: Year = None, uncertain: Uncertain = False, lang: Lang = None,
            limit: Limit = 50, offset: Offset = 0) -> Response:
    """NATO memberships (Allies), in order of accession; `at` answers who was a member that day, `year` who joined that year."""
    view = lookups(request, lang)
    return respond(request, page(view.members(at=at, year=year, uncertain=uncertain), limit, offset), view.lang)


@router.get("/members/{iso}", summary="One member's NATO membership", response_model=m.Membership, responses=JSONLD)
def member(request: Request, iso: str, lang: Lang = None) -> Response:
    """The NATO membership of a country: since when, and the sources."""
    view = lookups(request, lang)
    rows = view.members(at=None, year=None, uncertain=True, country=view.country(iso).id)
    if not rows:
        raise NotFound(f"{iso} is not recorded as a NATO member.")
    return respond(request, rows[-1], view.lang)


@router.get("/partners", summary="Partnerships", response_model=m.Page[m.Membership], responses=JSONLD)
def partners(request: Request, framework: FrameworkKey = None, role: RoleKey = None, at: At = None, year: Year = None,
             uncertain: Uncertain = False, lang: Lang = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    """Partner memberships in NATO's partnership frameworks; `at` answers who was a partner that day."""
    view = lookups(request, lang)
    rows = view.partners(framework=framework, role=role, at=at, year=year, uncertain=uncertain)
    return respond(request, page(rows, limit, offset), view.lang)


@router.get("/partners/{iso}", summary="One country's partnerships", response_model=m.PartnerDetail, responses=JSONLD)
def partner(request: Request, iso: str, lang: Lang = None) -> Response:
    """Every partnership framework a country took part in, with dates and sources."""
    view = lookups(request, lang)
    return respond(request, view.partner(iso), view.lang)


@router.get("/frameworks", summary="Partnership frameworks", response_model=m.Page[m.Framework], responses=JSONLD)
def frameworks(request: Request, at: At = None, year: Year = None, challenge: ChallengeKey = None, uncertain: Uncertain = False,
               lang: Lang = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    """PfP, EAPC, Mediterranean Dialogue, ICI...; `at` keeps those in force that day, `year` those launched that year."""
    view = lookups(request, lang)
    rows = view.frameworks(at=at, year=year, challenge=challenge, uncertain=uncertain)
    return respond(request, page(rows, limit, offset), view.lang)


@router.get("/frameworks/{key}", summary="One framework", response_model=m.FrameworkDetail, responses=JSONLD)
def framework(request: Request, key: str, lang: Lang = None) -> Response:
    """A framework with its launch, successor or predecessor, programmes and all its partners."""
    view = lookups(request, lang)
    return respond(request, view.framework(key), view.lang)


@router.get("/summits", summary="Summits", response_model=m.Page[m.Summit], responses=JSONLD)
def summits(request: Request, year: Year = None, challenge: ChallengeKey = None, lang: Lang = None,
            limit: Limit = 50, offset: Offset = 0) -> Response:
    """Summits in date order, with host city, meetings, attendees, decisions and what they launched or adopted."""
    view = lookups(request, lang)
    return respond(request, page(view.summits(year=year, challenge=challenge), limit, offset), view.lang)


@router.get("/strategic-concepts", summary="Strategic concepts", response_model=m.Page[m.StrategicConcept], responses=JSONLD)
def concepts(request: Request, year: Year = None, lang: Lang = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    """The Strategic Concepts, the summit that adopted each and the core tasks it defines."""
    view = lookups(request, lang)
    return respond(request, page(view.concepts(year=year), limit, offset), view.lang)


@router.get("/operations", summary="Operations", response_model=m.Page[m.Operation], responses=JSONLD)
def operations(request: Request, region: RegionKey = None, year: Year = None, challenge: ChallengeKey = None,
               lang: Lang = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    """NATO-led operations and missions; `year` keeps those running at some time that year."""
    view = lookups(request, lang)
    return respond(request, page(view.operations(region=region, year=year, challenge=challenge), limit, offset), view.lang)


@router.get("/contributions", summary="Contributions to operations", response_model=m.Page[m.Contribution], responses=JSONLD)
def contributions(request: Request, operation: str | None = None, country: str | None = None, region: RegionKey = None,
                  challenge: ChallengeKey = None, lang: Lang = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    """Who contributed to which operation (`operation=isaf`, `country=AUS`), with sources."""
    view = lookups(request, lang)
    rows = view.contributions(operation=operation, country=country, region=region, challenge=challenge)
    return respond(request, page(rows, limit, offset), view.lang)


@router.get("/summits/{key}", summary="One summit", response_model=m.Summit, responses=JSONLD)
def summit(request: Request, key: str, lang: Lang = None) -> Response:
    """A summit: when, where, who attended its meetings, what it decided, launched and adopted."""
    view = lookups(request, lang)
    return respond(request, view.simple("summits", "summit", key)[0], view.lang)


@router.get("/strategic-concepts/{key}", summary="One strategic concept", response_model=m.StrategicConcept, responses=JSONLD)
def strategic_concept(request: Request, key: str, lang: Lang = None) -> Response:
    """A Strategic Concept, where it was adopted and its core tasks."""
    view = lookups(request, lang)
    return respond(request, view.simple("strategic-concepts", "strategic-concept", key)[0], view.lang)


@router.get("/operations/{key}", summary="One operation", response_model=m.Operation, responses=JSONLD)
def operation(request: Request, key: str, lang: Lang = None) -> Response:
    """An operation or mission: dates, region, type, mandate, the challenges it addresses and its contributors."""
    view = lookups(request, lang)
    return respond(request, view.simple("operations", "operation", key)[0], view.lang)


@router.get("/contributions/{key}", summary="One contribution", response_model=m.Contribution, responses=JSONLD)
def contribution(request: Request, key: str, lang: Lang = None) -> Response:
    """A country's contribution to an operation, with sources."""
    view = lookups(request, lang)
    return respond(request, view.simple("contributions", "contribution", key)[0], view.lang)


@router.get("/organisations", summary="International organisations", response_model=m.Page[m.Organisation], responses=JSONLD)
def organisations(request: Request, lang: Lang = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    """NATO, the UN, the EU, the OSCE, the AU... with their acronyms."""
    view = lookups(request, lang)
    return respond(request, page(view.simple("organisations", "organisation"), limit, offset), view.lang)


@router.get("/organisations/{key}", summary="One organisation", response_model=m.Organisation, responses=JSONLD)
def organisation(request: Request, key: str, lang: Lang = None) -> Response:
    """One of the international organisations, by key."""
    view = lookups(request, lang)
    return respond(request, view.simple("organisations", "organisation", key)[0], view.lang)


@router.get("/core-tasks", summary="Core tasks", response_model=m.Page[m.CoreTask], responses=JSONLD)
def core_tasks(request: Request, lang: Lang = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    """NATO's core tasks, each as worded by one Strategic Concept."""
    view = lookups(request, lang)
    return respond(request, page(view.simple("core-tasks", "core-task"), limit, offset), view.lang)


@router.get("/core-tasks/{key}", summary="One of the core tasks", response_model=m.CoreTask, responses=JSONLD)
def core_task(request: Request, key: str, lang: Lang = None) -> Response:
    """One of the core tasks, by key."""
    view = lookups(request, lang)
    return respond(request, view.simple("core-tasks", "core-task", key)[0], view.lang)


@router.get("/challenges", summary="Security challenges", response_model=m.Page[m.Challenge], responses=JSONLD)
def challenges(request: Request, lang: Lang = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    """Terrorism, piracy, cyber defence...: the frameworks, operations and summits that address each."""
    view = lookups(request, lang)
    return respond(request, page(view.simple("challenges", "challenge"), limit, offset), view.lang)


@router.get("/challenges/{key}", summary="One of the security challenges", response_model=m.Challenge, responses=JSONLD)
def challenge(request: Request, key: str, lang: Lang = None) -> Response:
    """One of the security challenges, by key."""
    view = lookups(request, lang)
    return respond(request, view.simple("challenges", "challenge", key)[0], view.lang)


@router.get("/persons", summary="Persons", response_model=m.Page[m.Person], responses=JSONLD)
def persons(request: Request, lang: Lang = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    """The Secretaries General (their posts are in the detail)."""
    view = lookups(request, lang)
    return respond(request, page(view.simple("persons", "person"), limit, offset), view.lang)


@router.get("/persons/{key}", summary="One of the persons", response_model=m.PersonDetail, responses=JSONLD)
def person(request: Request, key: str, lang: Lang = None) -> Response:
    """One of the persons, by key."""
    view = lookups(request, lang)
    return respond(request, view.person(key), view.lang)


@router.get("/sources", summary="Source documents", response_model=m.Page[m.Source], responses=JSONLD)
def sources(request: Request, lang: Lang = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    """The public documents read, with URL, title, publisher and retrieval date."""
    view = lookups(request, lang)
    return respond(request, page(view.simple("sources", "source"), limit, offset), view.lang)


@router.get("/sources/{key}", summary="One of the source documents", response_model=m.Source, responses=JSONLD)
def source(request: Request, key: str, lang: Lang = None) -> Response:
    """One of the source documents, by key."""
    view = lookups(request, lang)
    return respond(request, view.simple("sources", "source", key)[0], view.lang)
