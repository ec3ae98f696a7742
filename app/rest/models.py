"""The REST API's response models: what `/api/...` answers, and what OpenAPI documents."""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, Field, JsonValue, SerializerFunctionWrapHandler, model_serializer

T = TypeVar("T")
RDF_KEY = "x-rdf"  # a field's RDF property in the JSON schema (and so in OpenAPI): app.rest.jsonld builds its context from it


def rdf(prop: str, *, reverse: bool = False, iri: bool = False, date: bool = False, **field: Any) -> Any:
    """A field that stands for an RDF property (`prop` as a CURIE); `reverse` when the field lists the
    subjects that point at this resource, `iri` when its values are IRIs, `date` for an xsd:date."""
    spec: dict[str, JsonValue] = {"property": prop}
    if reverse:
        spec["reverse"] = True
    if iri:
        spec["iri"] = True
    if date:
        spec["datatype"] = "xsd:date"
    return Field(json_schema_extra={RDF_KEY: spec}, **field)


class Label(BaseModel):
    """A label and the language it is in (the requested one, else English, else any)."""

    value: str
    lang: str = Field(description="BCP 47 language tag of this label")


class SourceRef(BaseModel):
    """Where a fact comes from: the document, and the passage with its exact quote when recorded."""

    source: str = rdf("oa:hasSource", description="IRI of the source document")
    url: str | None = rdf("schema:url", iri=True, default=None)
    title: str | None = rdf("dcterms:title", default=None)
    passage: str | None = Field(default=None, description="IRI of the source passage")
    quote: str | None = rdf("oa:exact", default=None, description="the passage, verbatim")


class Ref(BaseModel):
    """Another resource of the graph, by IRI, key and label."""

    id: str
    key: str
    type: str = Field(description="kind of resource: the IRI path segment (country, framework, summit...)")
    label: Label | None = None


class Date(BaseModel):
    """A recorded date, with the precision the source gives and the window a source narrows it to."""

    value: str = Field(description="YYYY-MM-DD, YYYY-MM or YYYY")
    precision: Literal["day", "month", "year"]
    notBefore: str | None = Field(default=None, description="first day a source allows within a coarse date, YYYY-MM-DD")
    notAfter: str | None = Field(default=None, description="last day a source allows within a coarse date, YYYY-MM-DD")

    @model_serializer(mode="wrap")
    def _compact(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A window only where a source gives one: most dates are just a value and its precision."""
        data: dict[str, Any] = handler(self)
        return {k: v for k, v in data.items() if v is not None}


class AsOf(BaseModel):
    """How a row answers `at=`: `certain` is false when the recorded dates are too coarse to decide;
    `suspended` says whether cooperation was suspended that day ("certain" or "possible")."""

    date: str
    certain: bool
    suspended: Literal["certain", "possible"] | None = None


class Period(BaseModel):
    """A suspension of a membership's cooperation: from when to when."""

    id: str
    key: str
    start: Date | None = None
    end: Date | None = Field(default=None, description="the day it was lifted; absent while ongoing")
    endUnknown: bool = False
    ongoingAsOf: str | None = Field(default=None, description="the day of a source saying it was still in force")


class Item(BaseModel):
    id: str
    key: str
    type: str
    label: Label | None = rdf("rdfs:label", default=None)
    altLabels: list[Label] = rdf("skos:altLabel", default_factory=list, description="acronyms and other names, every language")
    sources: list[SourceRef] = rdf("prov:wasDerivedFrom", default_factory=list)


class Membership(BaseModel):
    """A dated role: a member, a partner in a framework, or a post."""

    id: str
    key: str
    type: str = "membership"
    member: Ref = rdf("org:member")
    organization: Ref = rdf("org:organization")
    role: Ref = rdf("org:role")
    start: Date | None = None
    end: Date | None = Field(default=None, description="the day it ended (no longer held that day); absent while ongoing")
    startUnknown: bool = Field(default=False, description="no source gives the start")
    endUnknown: bool = Field(default=False, description="it ended, or may have, on a day no source gives")
    ongoingAsOf: str | None = Field(default=None, description="with no end: the day of a source saying it was still held")
    suspensions: list[Period] = Field(default_factory=list, description="times its cooperation was suspended")
    asOf: AsOf | None = None
    sources: list[SourceRef] = rdf("prov:wasDerivedFrom", default_factory=list)


class Country(Item):
    iso: str | None = rdf("nkg:isoCode", default=None)
    sameAs: list[str] = rdf("schema:sameAs", iri=True, default_factory=list)


class CountryDetail(Country):
    memberships: list[Membership] = rdf("org:member", reverse=True, default_factory=list)


class PartnerDetail(BaseModel):
    country: Ref
    partnerships: list[Membership] = rdf("org:member", reverse=True)


class Organisation(Item):
    sameAs: list[str] = rdf("schema:sameAs", iri=True, default_factory=list)


class Framework(Item):
    start: Date | None = None
    end: Date | None = None
    launchedAt: Ref | None = rdf("nkg:launchedAt", default=None)
    addresses: list[Ref] = rdf("nkg:addresses", default_factory=list)
    programmes: list[Ref] = rdf("nkg:underFramework", reverse=True, default_factory=list)
    replaces: list[Ref] = Field(default_factory=list)
    replacedBy: list[Ref] = Field(default_factory=list)
    asOf: AsOf | None = None


class FrameworkDetail(Framework):
    partners: list[Membership] = rdf("org:organization", reverse=True, default_factory=list,
                                     description="the first partnerships; /api/partners?framework= pages through all")
    partnersTotal: int = Field(default=0, description="how many partnerships the framework has in all")


class Summit(Item):
    start: Date | None = None
    end: Date | None = None
    hostCity: Ref | None = rdf("nkg:hostCity", default=None)
    addresses: list[Ref] = rdf("nkg:addresses", default_factory=list)
    meetings: list[Ref] = rdf("schema:superEvent", reverse=True, default_factory=list)
    attendees: list[Ref] = Field(default_factory=list, description="who attended its meetings")
    decisions: list[Ref] = rdf("nkg:takenAt", reverse=True, default_factory=list)
    frameworksLaunched: list[Ref] = rdf("nkg:launchedAt", reverse=True, default_factory=list)
    conceptsAdopted: list[Ref] = rdf("nkg:adoptedAt", reverse=True, default_factory=list)
    statements: list[Ref] = rdf("nkg:statedAt", reverse=True, default_factory=list)


class StrategicConcept(Item):
    adoptedAt: Ref | None = rdf("nkg:adoptedAt", default=None)
    start: Date | None = Field(default=None, description="first day of the summit that adopted it")
    coreTasks: list[Ref] = rdf("nkg:definesCoreTask", default_factory=list)


class CoreTask(Item):
    definedBy: list[Ref] = rdf("nkg:definesCoreTask", reverse=True, default_factory=list)


class Operation(Item):
    start: Date | None = None
    end: Date | None = None
    regions: list[Ref] = rdf("nkg:region", default_factory=list)
    operationTypes: list[Ref] = rdf("nkg:operationType", default_factory=list)
    unMandate: list[str] = rdf("nkg:unMandate", default_factory=list)
    ledBy: list[Ref] = rdf("nkg:ledBy", default_factory=list)
    addresses: list[Ref] = rdf("nkg:addresses", default_factory=list)
    contributors: list[Ref] = Field(default_factory=list)


class Contribution(Item):
    contributor: Ref | None = rdf("nkg:contributor", default=None)
    operation: Ref | None = rdf("nkg:toOperation", default=None)
    start: Date | None = None
    end: Date | None = None


class Challenge(Item):
    addressedBy: list[Ref] = rdf("nkg:addresses", reverse=True, default_factory=list)
    subjectOf: list[Ref] = rdf("dcterms:subject", reverse=True, default_factory=list, description="statements about it")


class Person(Item):
    sameAs: list[str] = rdf("schema:sameAs", iri=True, default_factory=list)
    statements: list[Ref] = rdf("nkg:statedBy", reverse=True, default_factory=list)


class PersonDetail(Person):
    posts: list[Membership] = rdf("org:member", reverse=True, default_factory=list)


class Passage(BaseModel):
    id: str
    key: str
    quote: str | None = None


class Source(Item):
    url: str | None = rdf("schema:url", iri=True, default=None)
    title: str | None = rdf("dcterms:title", default=None)
    publisher: str | None = rdf("dcterms:publisher", default=None)
    language: str | None = rdf("dcterms:language", default=None)
    retrievedOn: str | None = rdf("nkg:retrievedOn", date=True, default=None)
    passages: list[Passage] = rdf("oa:hasSource", reverse=True, default_factory=list)


class Page(BaseModel, Generic[T]):
    """One page of a list; `Link` headers point to the first, previous, next and last pages."""

    total: int
    limit: int
    offset: int
    ordered: bool = Field(True, description="whether the items are in the list's documented order; a list longer than "
                                            "the service's NATOKG_REST_SORT_LIMIT comes in the store's own order, "
                                            "the same from page to page of an unchanged graph")
    items: list[T]


class SearchHit(BaseModel):
    id: str
    key: str
    type: str
    label: Label | None = Field(description="the resource's label in the requested language")
    matched: Label = Field(description="the label or acronym that matched")
    match: Literal["exact", "prefix", "substring"]


class SearchResults(BaseModel):
    query: str
    total: int
    items: list[SearchHit]


class QueryParameter(BaseModel):
    name: str
    type: str
    required: bool
    default: str | None = None
    description: str


class QueryOperation(BaseModel):
    name: str
    title: str
    description: str
    form: str
    parameters: list[QueryParameter]
    columns: list[str]
    url: str
