"""Content negotiation (RFC 9110 section 12): the one table of formats, the one q-value parser, the one chooser.

Every media type, short name, file extension and `format=` alias the service knows is in `FORMATS`;
no other module names one. A client chooses a format by `Accept` (q-values honoured, RFC 9110
12.5.1) or by name in `format=`, `output=` or `results=` with the values other endpoints take
(Virtuoso, Fuseki, SPARQLWrapper): see `requested_format`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox

from .errors import InvalidParameter, NotAcceptable
from .memo import keep_recent


class Kind(Enum):
    RESULTS = "results"  # SELECT and ASK answers
    GRAPH = "graph"  # RDF: CONSTRUCT, DESCRIBE, descriptions, dumps (dataset syntaxes hold it as the default graph)
    HTML = "html"
    RECORD = "record"  # REST lookups: plain JSON, or the same as JSON-LD


@dataclass(frozen=True, eq=False)  # one instance per format (FORMATS below): identity is equality, and hashing is cheap
class Format:
    name: str  # short name, used by ?format= and by the CLI
    media_type: str
    kind: Kind
    extension: str
    label: str
    aliases: tuple[str, ...] = ()  # other media types that name it in Accept
    names: tuple[str, ...] = ()  # other values of format=, output= and results= that name it
    counterpart: str | None = None  # the format of the other family a name of this one stands for (xml <-> rdfxml)
    w3c: str | None = None  # https://www.w3.org/ns/formats/ name, for service descriptions and VoID
    oxigraph: ox.RdfFormat | ox.QueryResultsFormat | None = None

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.media_type.endswith(("+json", "+xml", "/json", "/trig", "/n-quads"))
        return f"{self.media_type}; charset=utf-8" if text else self.media_type

    @property
    def w3c_iri(self) -> str | None:
        return f"http://www.w3.org/ns/formats/{self.w3c}" if self.w3c else None

    def called(self, value: str) -> bool:
        """Whether `value` (a format= value, any case) names this format."""
        value = value.strip().lower()
        return value in (self.name, self.media_type, self.extension, *self.aliases, *self.names)


R, G = Kind.RESULTS, Kind.GRAPH
FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", R, "srj", "SPARQL JSON", ("application/json", "text/json"),
           ("js", "sparql-results+json", "application/javascript"), "jsonld", "SPARQL_Results_JSON", ox.QueryResultsFormat.JSON),
    Format("xml", "application/sparql-results+xml", R, "srx", "SPARQL XML", ("application/xml", "text/xml"),
           ("sparql-results+xml",), "rdfxml", "SPARQL_Results_XML", ox.QueryResultsFormat.XML),
    Format("csv", "text/csv", R, "csv", "CSV", ("text/plain",), ("text",), None, "SPARQL_Results_CSV", ox.QueryResultsFormat.CSV),
    Format("tsv", "text/tab-separated-values", R, "tsv", "TSV", ("text/tsv",), ("tab-separated-values",), None, "SPARQL_Results_TSV",
           ox.QueryResultsFormat.TSV),
    Format("ttl", "text/turtle", G, "ttl", "Turtle", ("application/x-turtle", "application/turtle"), ("turtle",), None, "Turtle",
           ox.RdfFormat.TURTLE),
    Format("nt", "application/n-triples", G, "nt", "N-Triples", ("text/plain",), ("ntriples", "n-triples", "text/ntriples"), None,
           "N-Triples", ox.RdfFormat.N_TRIPLES),
    Format("jsonld", "application/ld+json", G, "jsonld", "JSON-LD", ("application/json", "application/x-json+ld"),
           ("json-ld", "ld+json"), "json",
           "JSON-LD", ox.RdfFormat.JSON_LD),
    Format("rdfxml", "application/rdf+xml", G, "rdf", "RDF/XML", ("application/xml", "text/xml"), ("rdf+xml", "rdf/xml", "owl"),
           "xml", "RDF_XML", ox.RdfFormat.RDF_XML),
    Format("n3", "text/n3", G, "n3", "N3", ("text/rdf+n3",), ("notation3",), None, "N3", ox.RdfFormat.N3),
    Format("nq", "application/n-quads", G, "nq", "N-Quads", (), ("nquads", "n-quads"), None, "N-Quads", ox.RdfFormat.N_QUADS),
    Format("trig", "application/trig", G, "trig", "TriG", (), (), None, "TriG", ox.RdfFormat.TRIG),
    Format("html", "text/html", Kind.HTML, "html", "HTML", ("application/xhtml+xml",), ("htm",)),
    Format("record-json", "application/json", Kind.RECORD, "json", "JSON"),
    Format("record-jsonld", "application/ld+json", Kind.RECORD, "jsonld", "JSON-LD"),
)
BY_NAME = {f.name: f for f in FORMATS}
RESULT_FORMATS = tuple(f for f in FORMATS if f.kind is Kind.RESULTS)
GRAPH_FORMATS = tuple(f for f in FORMATS if f.kind is Kind.GRAPH)
HTML = BY_NAME["html"]
RECORD_FORMATS = tuple(f for f in FORMATS if f.kind is Kind.RECORD)
FORMAT_PARAMETERS = ("format", "output", "results")  # the names other endpoints and clients give the choice

# Request bodies of the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/#query-operation).
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class Preference:
    """One member of an RFC 9110 quality list (`Accept`, `Accept-Language`): its value, weight and position."""

    value: str
    q: float
    order: int


def parse_quality_list(header: str) -> list[Preference]:
    """`text/turtle;q=0.9, */*;q=0.1` as preferences: values lower-cased, q clamped to [0, 1], bad q read as 0."""
    preferences = []
    for order, part in enumerate(header.split(",")):
        value, *params = (p.strip() for p in part.split(";"))
        if not value:
            continue
        q = 1.0
        for param in params:
            key, _, weight = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(weight)))
                except ValueError:
                    q = 0.0
        preferences.append(Preference(value.lower(), q, order))
    return preferences


def _specificity(media_range: str, media_type: str) -> int:
    """How closely a media range matches a media type: 3 exact, 2 `type/*`, 1 `*/*`, 0 not at all."""
    if "/" not in media_range:
        media_range = "*/*" if media_range == "*" else f"{media_range}/*"
    rtype, _, rsub = media_range.partition("/")
    mtype, _, msub = media_type.partition("/")
    if rtype == "*" and rsub == "*":
        return 1
    if rtype == mtype and rsub == "*":
        return 2
    return 3 if (rtype, rsub) == (mtype, msub) else 0


def negotiate(accept: str | None, offered: tuple[Format, ...]) -> Format:
    """Pick the offered format the client prefers; the first offered one for `*/*` or no header.

    :raises NotAcceptable: when the client accepts none of them (with `Vary: Accept`).
    """
    if not accept or not accept.strip():
        return offered[0]
    return _choose(accept, offered)


@keep_recent(max_chars=512)
def _choose(accept: str, offered: tuple[Format, ...]) -> Format:
    ranges = parse_quality_list(accept)
    best: tuple[float, int, int, int] | None = None
    choice: Format | None = None
    for index, fmt in enumerate(offered):
        for media in (fmt.media_type, *fmt.aliases):
            # The most specific range that matches decides this media type's q (RFC 9110 12.5.1).
            matching = [(_specificity(r.value, media), r) for r in ranges if _specificity(r.value, media)]
            if not matching:
                continue
            specificity, rng = max(matching, key=lambda m: (m[0], -m[1].order))
            if rng.q <= 0:
                continue
            exact = 1 if media == fmt.media_type else 0
            score = (rng.q, specificity, exact, -index)
            if best is None or score > best:
                best, choice = score, fmt
    if choice is None:
        names = ", ".join(f.media_type for f in offered)
        raise NotAcceptable(f"None of the acceptable types ({accept}) is available here. Available: {names}.",
                            headers={"Vary": "Accept"})
    return choice


def requested_format(values: Sequence[str], offered: tuple[Format, ...]) -> Format | None:
    """The format the `format=`/`output=`/`results=` values name among `offered`, or None to negotiate by `Accept`.

    A value may be a short name, a media type or an alias (`json`, `application/sparql-results+json`,
    `turtle`, `json-ld`, `rdf+xml`...), or a comma-separated list of them, as SPARQLWrapper sends
    (`application/ld+json,application/x-json+ld`): the first member that names a format counts. A value
    naming a format of the other family stands for its counterpart (`xml` on a CONSTRUCT is RDF/XML,
    `json` is JSON-LD, as Virtuoso reads them). Values that agree count once; values that disagree, or
    name a format this answer cannot take, leave the choice to `Accept`.

    :raises InvalidParameter: a value names no format at all.
    """
    chosen: set[Format | None] = set()  # None: a value naming a format this answer cannot take
    for value in values:
        members = [member.split(";")[0].strip() for member in value.split(",")]
        named = [f for member in members if member for f in FORMATS if f.called(member)]
        if not named:
            if not any(members):
                continue  # an empty value names nothing: SPARQLWrapper sends `format=` beside the named one
            known = ", ".join(f.name for f in offered)
            raise InvalidParameter(f"Unknown value {value!r} for 'format'; this answer can be given as: {known}.",
                                   parameters=["format"])
        here = [f for f in named if f in offered]
        if not here:
            here = [BY_NAME[f.counterpart] for f in named if f.counterpart and BY_NAME[f.counterpart] in offered]
        chosen.add(here[0] if here else None)
    return next(iter(chosen)) if len(chosen) == 1 else None  # none, or values that disagree: negotiate instead


def answer_format(accept: str | None, offered: tuple[Format, ...], *, requested: Sequence[str] = (), page: bool = False) -> Format:
    """The format of an answer: the one `requested` names (see `requested_format`), else the one `Accept`
    prefers; with `page` (a GET naming no format), HTML when a browser prefers it.

    :raises InvalidParameter: a requested value names no format.
    :raises NotAcceptable: `Accept` takes none of the offered formats.
    """
    fmt = requested_format(requested, offered)
    if fmt is not None:
        return fmt
    if page and negotiate(accept, (*offered, HTML)) is HTML:
        return HTML
    return negotiate(accept, offered)
