"""What schemathesis needs to know about natokg's OpenAPI that JSON Schema cannot say, loaded by its CLI through
`SCHEMATHESIS_HOOKS=tests.web.schemathesis_hooks`:

the string formats the document uses beyond JSON Schema's own: `sparql-query` (a SPARQL 1.1 query: random text is
not one, and the endpoint rightly refuses it with a 400) and `iri` (an absolute IRI).

The queries are built from small parts (patterns, terms, limits) so that every one parses and stays cheap.
"""

from __future__ import annotations

import schemathesis
from hypothesis import strategies as st

NKG = "https://w3id.org/natokg/"
_SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~"

segment = st.text(alphabet=_SAFE, min_size=1, max_size=12)
iris = st.one_of(
    st.builds(lambda kind, key: f"{NKG}id/{kind}/{key}", st.sampled_from(["country", "framework", "summit", "operation"]),
              st.sampled_from(["FRA", "POL", "UKR", "pfp", "ici", "chicago-2012", "isaf", "none"])),
    st.builds(lambda host, path: f"http://{host}.example/{path}", segment, st.lists(segment, max_size=3).map("/".join)),
    st.builds(lambda name: f"urn:example:{name}", segment),
)
variables = st.sampled_from(["?s", "?p", "?o", "?x"])
literals = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), max_size=20).map(
        lambda text: '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'),
    st.integers(-1000, 1000).map(str),
    st.sampled_from(['"France"@en', '"OTAN"@fr', '"1949-08-24"^^<http://www.w3.org/2001/XMLSchema#date>']),
)
terms = st.one_of(iris.map(lambda iri: f"<{iri}>"), variables)
objects = st.one_of(terms, literals)
patterns = st.builds(lambda s, p, o: f"{s} {p} {o} .", terms, st.one_of(iris.map(lambda i: f"<{i}>"), st.just("?p"), st.just("a")),
                     objects)
groups = st.lists(patterns, min_size=1, max_size=3).map(" ".join)
limits = st.integers(0, 20).map(lambda n: f" LIMIT {n}")
queries = st.one_of(
    st.builds(lambda g, lim: f"SELECT * WHERE {{ {g} }}{lim}", groups, limits),
    st.builds(lambda g, lim: f"SELECT DISTINCT ?s WHERE {{ {g} }}{lim}", groups, limits),
    st.builds(lambda g: f"ASK {{ {g} }}", groups),
    st.builds(lambda g, lim: f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o . {g} }}{lim}", groups, limits),
    st.builds(lambda iri: f"DESCRIBE <{iri}>", iris),
    st.builds(lambda iri: f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{iri}> }}", iris),
)

schemathesis.openapi.format("sparql-query", queries)
schemathesis.openapi.format("iri", iris)

