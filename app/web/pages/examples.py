"""The named queries the query page offers as examples, ready to run in the editor.

Offered: every `example-*` and `page-*` query, the `*-on-date` ones and a few that describe the graph as a
whole. A query whose required parameter cannot be given a neutral default (an IRI) is left out: it needs
the user's choice, which the REST API's `/api/queries/{name}` asks for. Dates default to today (a day the
user then changes, not a fact) and the label language to the page's; they are bound by a VALUES block
written into the text with a comment, so that the query in the editor is complete and shows where to
change them. Optional parameters stay unbound, which the queries read as "all".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlencode

from ...sparql.policy import where_group_start
from ...sparql.querylib import NamedQuery, Parameter
from .html import Site

# (group, English heading, French heading): the order of the groups on the page
GROUPS = (("example", "Examples", "Exemples"), ("date", "On a date", "À une date"),
          ("graph", "About the graph", "Sur le graphe"))
ON_A_DATE = ("members-on-date", "partners-on-date")
ABOUT_THE_GRAPH = ("class-counts", "void-property-partitions", "triple-count", "coverage", "seed-facts")
_TITLE_PREFIXES = ("Example: ", "Exemple : ")
_PAGE_NOTE = (" An example for the query page.", " Un exemple pour la page des requêtes.")


@dataclass(frozen=True)
class Example:
    name: str
    group: str
    title: str
    description: str
    text: str  # the query as the editor gets it, parameters bound
    href: str  # the query page with this query filled in (works without JavaScript)


def group_of(name: str) -> str | None:
    if name.startswith(("example-", "page-")):
        return "example"
    if name in ON_A_DATE:
        return "date"
    if name in ABOUT_THE_GRAPH:
        return "graph"
    return None


def _default(param: Parameter, site: Site, today: date) -> str | None:
    """The value a parameter gets in the editor: its own default, today for a date, the page's language."""
    if param.type == "lang":
        return site.lang
    if param.type == "date" and param.required:
        return today.isoformat()
    return param.default if param.required else None


def _body(query: NamedQuery, title: str) -> str:
    """The query without its header (title and description show beside the editor), but for its title and
    parameter lines: what the user edits is the query, with a word on what it asks and takes."""
    lines = query.text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")), len(lines))
    params = [line for line in lines[:start] if line.lstrip("# ").startswith("param:")]
    return "\n".join([f"# {title}", *params, *lines[start:]]) + "\n"


def bound_text(query: NamedQuery, site: Site, today: date, title: str) -> str | None:
    """The query text with its parameters bound by a commented VALUES block; None when one cannot be."""
    text = _body(query, title)
    values: list[tuple[Parameter, str]] = []
    for param in query.parameters:
        value = _default(param, site, today)
        if value is None:
            if param.required:
                return None
            continue
        values.append((param, str(param.convert(value, iri_base=site.id_base))))
    if not values:
        return text
    start = where_group_start(text)
    if start is None:
        return None
    comment = site.t("# Parameters: change the values here", "# Paramètres : changez les valeurs ici")
    names = " ".join(f"${param.name}" for param, _ in values)
    terms = " ".join(term for _, term in values)
    block = f"\n  {comment}\n  VALUES ({names}) {{ ({terms}) }}"
    return text[:start] + block + text[start:]


def _strip(text: str, affixes: tuple[str, ...], *, prefix: bool) -> str:
    for affix in affixes:
        text = text.removeprefix(affix) if prefix else text.removesuffix(affix)
    return text


def examples(queries: Iterable[NamedQuery], site: Site, *, today: date | None = None) -> list[Example]:
    """The offered queries in page order (group, then name), titled in the page's language."""
    day = today or date.today()
    found: list[Example] = []
    for query in queries:
        group = group_of(query.name)
        title = _strip(query.title_in(site.lang), _TITLE_PREFIXES, prefix=True)
        text = bound_text(query, site, day, title) if group else None
        if group is None or text is None:
            continue
        description = _strip(query.description_in(site.lang), _PAGE_NOTE, prefix=False)
        params = {"query": text, **({"lang": site.lang} if site.lang != "en" else {})}
        found.append(Example(query.name, group, title, description, text, site.url(f"/sparql?{urlencode(params)}")))
    order = [g for g, _, _ in GROUPS]
    return sorted(found, key=lambda e: (order.index(e.group), e.name))
