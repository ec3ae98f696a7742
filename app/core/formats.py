"""Content negotiation (RFC 9110 section 12): the one table of media types and the one chooser."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from app.core.errors import InvalidParameter, NotAcceptable
from app.core.memo import keep_recent


class Kind(Enum):
    RESULTS = "results"  # SELECT and ASK answers
    GRAPH = "graph"  # RDF graphs: CONSTRUCT, DESCRIBE, descriptions, dumps
    DATASET = "dataset"  # RDF datasets (dumps with graphs)
    HTML = "html"
    RECORD = "record"  # REST lookups: plain JSON, or the same as JSON-LD


@dataclass(frozen=True, eq=False)  # one instance per format (FORMATS below): identity is equality, and hashing is cheap
class Format:
    name: str  # short name, used by ?format= and by the CLI
    media_type: str
    kind: Kind
    extension: str
    aliases: tuple[str, ...] = ()

    @property
    def content_type(self) -> str:
        text = self.media_type.startswith("text/") or self.media_type.endswith(("+json", "+xml", "/json"))
        return f"{self.media_type}; charset=utf-8" if text else self.media_type


FORMATS: tuple[Format, ...] = (
    Format("json", "application/sparql-results+json", Kind.RESULTS, "srj", ("application/json",)),
    Format("xml", "application/sparql-results+xml", Kind.RESULTS, "srx", ("application/xml", "text/xml")),
    Format("csv", "text/csv", Kind.RESULTS, "csv"),
    Format("tsv", "text/tab-separated-values", Kind.RESULTS, "tsv"),
    Format("ttl", "text/turtle", Kind.GRAPH, "ttl", ("application/x-turtle",)),
    Format("nt", "application/n-triples", Kind.GRAPH, "nt", ("text/plain",)),
    Format("jsonld", "application/ld+json", Kind.GRAPH, "jsonld", ("application/json",)),
    Format("rdfxml", "application/rdf+xml", Kind.GRAPH, "rdf", ("application/xml", "text/xml")),
    Format("nq", "application/n-quads", Kind.DATASET, "nq"),
    Format("trig", "application/trig", Kind.DATASET, "trig"),
    Format("html", "text/html", Kind.HTML, "html", ("application/xhtml+xml",)),
    Format("record-json", "application/json", Kind.RECORD, "json"),
    Format("record-jsonld", "application/ld+json", Kind.RECORD, "jsonld"),
)
BY_NAME = {f.name: f for f in FORMATS}
RESULT_FORMATS = tuple(f for f in FORMATS if f.kind is Kind.RESULTS)
GRAPH_FORMATS = tuple(f for f in FORMATS if f.kind is Kind.GRAPH)
HTML = BY_NAME["html"]
RECORD_FORMATS = tuple(f for f in FORMATS if f.kind is Kind.RECORD)

# The W3C's IRIs for these formats (https://www.w3.org/ns/formats/), for service descriptions and VoID.
W3C_FORMAT_IRIS: dict[str, str] = {
    name: f"http://www.w3.org/ns/formats/{suffix}"
    for name, suffix in (
        ("json", "SPARQL_Results_JSON"), ("xml", "SPARQL_Results_XML"), ("csv", "SPARQL_Results_CSV"),
        ("tsv", "SPARQL_Results_TSV"), ("ttl", "Turtle"), ("nt", "N-Triples"), ("jsonld", "JSON-LD"),
        ("rdfxml", "RDF_XML"), ("nq", "N-Quads"), ("trig", "TriG"),
    )
}


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """Specificity of the match (3 exact, 2 type/*, 1 */*), 0 when it does not match."""
        mtype, _, msub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == mtype and self.subtype == "*":
            return 2
        if self.type == mtype and self.subtype == msub:
            return 3
        return 0


def _parse_accept(header: str) -> list[_Range]:
    ranges = []
    for order, part in enumerate(header.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        if "/" not in media:
            media = "*/*" if media == "*" else f"{media}/*"
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        mtype, _, msub = media.partition("/")
        ranges.append(_Range(mtype, msub, q, order))
    return ranges


def negotiate(accept: str | None, offered: tuple[Format, ...]) -> Format:
    """Pick the offered format the client prefers; the first offered one for `*/*` or no header.

    :raises NotAcceptable: when the client accepts none of them.
    """
    if not accept or not accept.strip():
        return offered[0]
    return _choose(accept, offered)


@keep_recent(max_chars=512)
def _choose(accept: str, offered: tuple[Format, ...]) -> Format:
    ranges = _parse_accept(accept)
    best: tuple[float, int, int, int] | None = None
    choice: Format | None = None
    for index, fmt in enumerate(offered):
        for media in (fmt.media_type, *fmt.aliases):
            # The most specific range that matches decides this media type's q (RFC 9110 12.5.1).
            matching = [(r.matches(media), r) for r in ranges if r.matches(media)]
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
        raise NotAcceptable(f"None of the acceptable types ({accept}) is available here. Available: {names}.")
    return choice


def answer_format(accept: str | None, offered: tuple[Format, ...], *, requested: str | None, page: bool = False) -> Format:
    """The format of an answer: the one `requested` by name (`format=` or `output=`), else the one
    `Accept` prefers; with `page` (a GET naming no format), HTML when a browser prefers it.

    :raises InvalidParameter: `requested` names none of the offered formats.
    :raises NotAcceptable: `Accept` takes none of them.
    """
    if requested:
        fmt = by_name(requested, offered)
        if fmt is None:
            names = ", ".join(f.name for f in offered)
            raise InvalidParameter(f"Unknown value {requested!r} for 'format'; this query can answer in: {names}.",
                                   parameters=["format"])
        return fmt
    if page and negotiate(accept, (*offered, HTML)) is HTML:
        return HTML
    return negotiate(accept, offered)


def by_name(name: str, offered: tuple[Format, ...]) -> Format | None:
    for fmt in offered:
        if name in (fmt.name, fmt.media_type, fmt.extension):
            return fmt
    return None
