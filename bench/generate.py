"""Generate a synthetic natokg graph of a given size, shaped like the shipped data (countries,
dated memberships with intervals and instants, sources), plus the shipped data itself so that
lookups hit real IRIs. Used only by the benchmark; never shipped."""

from __future__ import annotations

import argparse
from pathlib import Path

PREFIXES = """@prefix nkg: <https://w3id.org/natokg/ontology#> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix schema: <https://schema.org/> .
@prefix id: <https://w3id.org/natokg/id/> .
"""
TRIPLES_PER_UNIT = 22  # what one synthetic country with its membership, interval and source adds


def unit(i: int) -> str:
    key = f"X{i:07d}"
    year = 1950 + i % 70
    return f"""
<https://w3id.org/natokg/id/country/{key}> a nkg:Country ; nkg:isoCode "{key}" ;
    rdfs:label "Synthetic country {i}"@en , "Pays synthétique {i}"@fr .
<https://w3id.org/natokg/id/membership/gen-{key}> a org:Membership ;
    org:member <https://w3id.org/natokg/id/country/{key}> ;
    org:organization <https://w3id.org/natokg/id/framework/pfp> ;
    org:role <https://w3id.org/natokg/id/role/partner> ;
    org:memberDuring [ a time:ProperInterval ;
        time:hasBeginning [ a time:Instant ; time:inXSDDate "{year}-0{1 + i % 9}-1{i % 10}"^^xsd:date ] ;
        time:hasEnd [ a time:Instant ; time:inXSDgYear "{year + 5}"^^xsd:gYear ] ] ;
    prov:wasDerivedFrom <https://w3id.org/natokg/id/passage/gen-{key}> .
<https://w3id.org/natokg/id/passage/gen-{key}> a nkg:SourcePassage ;
    oa:hasSource <https://w3id.org/natokg/id/source/generator> ;
    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact "Country {i} joined in {year}." ] .
"""


def copy_project(root: Path, project: Path) -> None:
    """Bring the root's ontology, shapes, queries and shipped data up to the project's: only files whose
    content differs are written, so an unchanged root keeps its files' times (and its built store)."""
    for folder in ("ontology", "shapes", "queries", "data"):
        target = root / folder
        target.mkdir(parents=True, exist_ok=True)
        for path in (project / folder).glob("*.*"):
            if path.suffix in (".ttl", ".rq"):
                copy = target / path.name
                if not copy.exists() or copy.read_bytes() != path.read_bytes():
                    copy.write_bytes(path.read_bytes())


def generate(root: Path, project: Path, triples: int) -> Path:
    """Write a natokg root (ontology, shapes, queries from the project; data shipped + synthetic)."""
    copy_project(root, project)
    units = max(0, triples // TRIPLES_PER_UNIT)
    with (root / "data" / "zz-generated.ttl").open("w", encoding="utf-8") as out:
        out.write(PREFIXES)
        for i in range(units):
            out.write(unit(i))
    return root


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--triples", type=int, default=100_000)
    args = parser.parse_args()
    generate(args.root, Path(__file__).resolve().parent.parent, args.triples)
