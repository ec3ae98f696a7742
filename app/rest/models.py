"""The REST API's response models: what `/api/...` answers, and what OpenAPI documents."""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class Label(BaseModel):
    """A label and the language it is in (the requested one, else English, else any)."""

    value: str
    lang: str = Field(description="BCP 47 language tag of this label")


class SourceRef(BaseModel):
    """Where a fact comes from: the document, and the passage with its exact quote when recorded."""

    source: str = Field(description="IRI of the source document")
    url: str | None = None
    title: str | None = None
    passage: str | None = Field(default=None, description="IRI of the source passage")
    quote: str | None = Field(default=None, description="the passage, verbatim")


class Ref(BaseModel):
    """Another resource of the graph, by IRI, key and label."""

    id: str
    key: str
    type: str = Field(description="kind of resource: the IRI path segment (country, framework, summit...)")
    label: Label | None = None


class Date(BaseModel):
    """A recorded date, with the precision the source gives."""

    value: str = Field(description="YYYY-MM-DD, YYYY-MM or YYYY")
    precision: Literal["day", "month", "year"]


class AsOf(BaseModel):
    """How a row answers `at=`: `certain` is false when the recorded dates are too coarse to decide."""

    date: str
    certain: bool


class Item(BaseModel):
    id: str
    key: str
    type: str
    label: Label | None = None
    altLabels: list[Label] = Field(default_factory=list, description="acronyms and other names, every language")
    sources: list[SourceRef] = Field(default_factory=list)


class Membership(BaseModel):
    """A dated role: a member, a partner in a framework, or a post."""

    id: str
    key: str
    type: str = "membership"
    member: Ref
    organization: Ref
    role: Ref
    start: Date | None = None
    end: Date | None = Field(default=None, description="last day held; absent while ongoing")
    asOf: AsOf | None = None
    sources: list[SourceRef] = Field(default_factory=list)


class Country(Item):
    iso: str | None = None
    sameAs: list[str] = Field(default_factory=list)


class CountryDetail(Country):
    memberships: list[Membership] = Field(default_factory=list)


class PartnerDetail(BaseModel):
    country: Ref
    partnerships: list[Membership]


class Organisation(Item):
    sameAs: list[str] = Field(default_factory=list)


class Framework(Item):
    start: Date | None = None
    end: Date | None = None
    launchedAt: Ref | None = None
    addresses: list[Ref] = Field(default_factory=list)
    programmes: list[Ref] = Field(default_factory=list)
    replaces: list[Ref] = Field(default_factory=list)
    replacedBy: list[Ref] = Field(default_factory=list)
    asOf: AsOf | None = None


class FrameworkDetail(Framework):
    partners: list[Membership] = Field(default_factory=list)


class Summit(Item):
    start: Date | None = None
    end: Date | None = None
    hostCity: Ref | None = None
    addresses: list[Ref] = Field(default_factory=list)
    meetings: list[Ref] = Field(default_factory=list)
    attendees: list[Ref] = Field(default_factory=list, description="who attended its meetings")
    decisions: list[Ref] = Field(default_factory=list)
    frameworksLaunched: list[Ref] = Field(default_factory=list)
    conceptsAdopted: list[Ref] = Field(default_factory=list)
    statements: list[Ref] = Field(default_factory=list)


class StrategicConcept(Item):
    adoptedAt: Ref | None = None
    start: Date | None = Field(default=None, description="first day of the summit that adopted it")
    coreTasks: list[Ref] = Field(default_factory=list)


class CoreTask(Item):
    definedBy: list[Ref] = Field(default_factory=list)


class Operation(Item):
    start: Date | None = None
    end: Date | None = None
    regions: list[Ref] = Field(default_factory=list)
    operationTypes: list[Ref] = Field(default_factory=list)
    unMandate: list[str] = Field(default_factory=list)
    ledBy: list[Ref] = Field(default_factory=list)
    addresses: list[Ref] = Field(default_factory=list)
    contributors: list[Ref] = Field(default_factory=list)


class Contribution(Item):
    contributor: Ref | None = None
    operation: Ref | None = None
    start: Date | None = None
    end: Date | None = None


class Challenge(Item):
    addressedBy: list[Ref] = Field(default_factory=list)
    subjectOf: list[Ref] = Field(default_factory=list, description="statements about it")


class Person(Item):
    sameAs: list[str] = Field(default_factory=list)
    statements: list[Ref] = Field(default_factory=list)


class PersonDetail(Person):
    posts: list[Membership] = Field(default_factory=list)


class Passage(BaseModel):
    id: str
    key: str
    quote: str | None = None


class Source(Item):
    url: str | None = None
    title: str | None = None
    publisher: str | None = None
    language: str | None = None
    retrievedOn: str | None = None
    passages: list[Passage] = Field(default_factory=list)


class Page(BaseModel, Generic[T]):
    """One page of a list; `Link` headers point to the first, previous, next and last pages."""

    total: int
    limit: int
    offset: int
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
