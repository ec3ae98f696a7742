"""REST lookups (/api/...) on the real app and the shipped data."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.rest.kinds import KINDS
from app.rest.lookups import Lookups

ID = "https://w3id.org/natokg/id/"


def get(client: TestClient, url: str, **headers: str) -> Any:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def every(client: TestClient, url: str) -> list[dict[str, Any]]:
    sep = "&" if "?" in url else "?"
    return get(client, f"{url}{sep}limit=500")["items"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("kind", "key"), [
    ("countries", "FRA"), ("frameworks", "pfp"), ("organisations", "nato"), ("summits", "chicago-2012"),
    ("strategic-concepts", "2010"), ("core-tasks", None), ("operations", "isaf"), ("contributions", None),
    ("challenges", "terrorism"), ("persons", None), ("sources", None), ("members", "FRA"), ("partners", "UKR"),
])
def test_every_kind_has_a_list_and_a_detail(client: TestClient, kind: str, key: str | None) -> None:
    page = get(client, f"/api/{kind}")
    assert page["total"] > 0 and page["items"]
    key = key or page["items"][0]["key"]
    if kind in ("members", "partners"):
        detail = get(client, f"/api/{kind}/{key}")
        assert key in json.dumps(detail)
        return
    if kind == "strategic-concepts":
        key = next(i["key"] for i in every(client, "/api/strategic-concepts") if "2010" in i["key"])
    detail = get(client, f"/api/{kind}/{key}")
    assert detail["key"] == key and detail["id"].startswith(ID)


def test_poland_partner_before_accession_member_after(client: TestClient) -> None:
    members_1998 = {m["member"]["key"] for m in every(client, "/api/members?at=1998-01-01")}
    members_2000 = {m["member"]["key"] for m in every(client, "/api/members?at=2000-01-01")}
    partners_1998 = {m["member"]["key"] for m in every(client, "/api/partners?framework=pfp&at=1998-01-01")}
    partners_2000 = {m["member"]["key"] for m in every(client, "/api/partners?framework=pfp&at=2000-01-01")}
    assert "POL" not in members_1998 and "POL" in members_2000
    assert "POL" in partners_1998 and "POL" not in partners_2000
    assert {"FRA", "USA"} <= members_1998
    row = next(m for m in every(client, "/api/members?at=2000-01-01") if m["member"]["key"] == "POL")
    assert row["start"] == {"value": "1999-03-12", "precision": "day"}
    assert row["asOf"] == {"date": "2000-01-01", "certain": True, "suspended": None}


def test_year_precision_start_is_not_read_as_january_first(client: TestClient) -> None:
    # The ICI memberships of Bahrain, Qatar and Kuwait are recorded as "2005", which NATO narrows to
    # "the first three months of 2005": uncertain from 1 January to 30 March, certain from 31 March.
    assert "BHR" not in {m["member"]["key"] for m in every(client, "/api/partners?framework=ici&at=2005-01-01")}
    marked = every(client, "/api/partners?framework=ici&at=2005-01-01&uncertain=true")
    bahrain = next(m for m in marked if m["member"]["key"] == "BHR")
    assert bahrain["start"] == {"value": "2005", "precision": "year", "notBefore": "2005-01-01", "notAfter": "2005-03-31"}
    assert bahrain["asOf"]["certain"] is False
    assert "BHR" not in {m["member"]["key"] for m in every(client, "/api/partners?framework=ici&at=2004-12-31&uncertain=true")}
    later = {m["member"]["key"]: m["asOf"]["certain"] for m in every(client, "/api/partners?framework=ici&at=2005-03-31")}
    assert later["BHR"] is True


def test_frameworks_at_a_date(client: TestClient) -> None:
    keys_1996 = {f["key"] for f in every(client, "/api/frameworks?at=1996-01-01")}
    keys_2000 = {f["key"] for f in every(client, "/api/frameworks?at=2000-01-01")}
    assert "nacc" in keys_1996 and "eapc" not in keys_1996
    assert "eapc" in keys_2000 and "nacc" not in keys_2000 and "pfp" in keys_2000


def test_french_labels_by_parameter_and_by_accept_language(client: TestClient) -> None:
    by_param = get(client, "/api/frameworks/mediterranean-dialogue?lang=fr")
    assert by_param["label"] == {"value": "Dialogue méditerranéen", "lang": "fr"}
    by_header = get(client, "/api/organisations/nato", **{"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})
    assert by_header["label"] == {"value": "Organisation du Traité de l'Atlantique Nord", "lang": "fr"}
    assert {"value": "OTAN", "lang": "fr"} in by_header["altLabels"]
    fallback = get(client, "/api/countries/FRA?lang=de")
    assert fallback["label"]["lang"] == "en"


def test_summit_detail_says_who_attended_and_what_was_decided(client: TestClient) -> None:
    chicago = get(client, "/api/summits/chicago-2012")
    assert chicago["start"] == {"value": "2012-05-20", "precision": "day"}
    assert chicago["hostCity"]["key"] == "chicago"
    assert {"AUS", "JPN", "SWE"} <= {a["key"] for a in chicago["attendees"]}
    assert any(s["quote"] for s in chicago["sources"])
    istanbul = get(client, "/api/summits/istanbul-2004")
    assert "ici-launch-istanbul-2004" in {d["key"] for d in istanbul["decisions"]}


def test_provenance_carries_url_and_quote(client: TestClient) -> None:
    pfp = get(client, "/api/countries/POL")["memberships"]
    nato = next(m for m in pfp if m["organization"]["key"] == "nato")
    assert nato["sources"] and all(s["url"].startswith("http") for s in nato["sources"])
    assert any("Poland" in (s["quote"] or "") for s in nato["sources"])


def test_filters(client: TestClient) -> None:
    isaf = every(client, "/api/contributions?operation=isaf")
    assert isaf and all(c["operation"]["key"] == "isaf" for c in isaf)
    afghanistan = {o["key"] for o in every(client, "/api/operations?region=afghanistan")}
    assert "isaf" in afghanistan
    summits_2012 = every(client, "/api/summits?year=2012")
    assert [s["key"] for s in summits_2012] == ["chicago-2012"]
    eop = {m["member"]["key"] for m in every(client, "/api/partners?role=enhanced-opportunities-partner")}
    assert {"AUS", "GEO", "JOR"} <= eop
    md_countries = {c["key"] for c in every(client, "/api/countries?framework=mediterranean-dialogue")}
    assert {"DZA", "EGY", "ISR", "JOR", "MAR", "MRT", "TUN"} <= md_countries


def test_paging_link_headers(client: TestClient) -> None:
    response = client.get("/api/countries?limit=10&offset=10&lang=fr")
    body = response.json()
    assert body["limit"] == 10 and body["offset"] == 10 and len(body["items"]) == 10
    assert response.headers["x-total-count"] == str(body["total"])
    links = {part.split('rel="')[1].rstrip('"'): part.split(">")[0].lstrip("<") for part in response.headers["link"].split(", ")}
    assert set(links) == {"first", "prev", "next", "last"}
    assert "offset=0" in links["first"] and "offset=20" in links["next"] and "lang=fr" in links["next"]
    last = (body["total"] - 1) // 10 * 10
    assert f"offset={last}" in links["last"]
    tail = client.get(links["last"].replace("http://testserver", ""))
    assert "next" not in tail.headers["link"] and len(tail.json()["items"]) == body["total"] - last


def test_json_ld_by_accept_with_inline_context(client: TestClient) -> None:
    response = client.get("/api/countries/FRA", headers={"Accept": "application/ld+json"})
    assert response.headers["content-type"].startswith("application/ld+json")
    assert "Accept" in response.headers["vary"]
    doc = response.json()
    assert isinstance(doc["@context"], dict)
    triples = list(ox.parse(response.content, format=ox.RdfFormat.JSON_LD))
    france = ox.NamedNode(f"{ID}country/FRA")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    assert any(t.subject == france and t.predicate == label and t.object == ox.Literal("France", language="en") for t in triples)
    member = ox.NamedNode("http://www.w3.org/ns/org#member")
    assert any(t.predicate == member and t.object == france for t in triples)


def test_json_ld_list(client: TestClient) -> None:
    response = client.get("/api/members?limit=5", headers={"Accept": "application/ld+json"})
    triples = list(ox.parse(response.content, format=ox.RdfFormat.JSON_LD))
    kinds = {t.object for t in triples if t.predicate.value.endswith("#type")}
    assert ox.NamedNode("http://www.w3.org/ns/org#Membership") in kinds


@pytest.mark.parametrize(("url", "status", "parameter"), [
    ("/api/countries/XXX", 404, None),
    ("/api/summits/nowhere-1900", 404, None),
    ("/api/members/CHE", 404, None),
    ("/api/members?at=1998-02-30", 400, "at"),
    ("/api/partners?framework=nope", 400, "framework"),
    ("/api/operations?region=atlantis", 400, "region"),
    ("/api/countries?limit=0", 400, "limit"),
    ("/api/summits?year=12", 400, "year"),
])
def test_errors_are_problem_details(client: TestClient, url: str, status: int, parameter: str | None) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["status"] == status
    if parameter:
        assert parameter in problem["parameters"]


def test_unacceptable_format_is_406(client: TestClient) -> None:
    response = client.get("/api/countries", headers={"Accept": "text/turtle"})
    assert response.status_code == 406 and response.json()["status"] == 406


def test_openapi_documents_the_models(client: TestClient) -> None:
    spec = get(client, "/openapi.json")
    assert "/api/summits/{key}" in spec["paths"]
    schema = spec["paths"]["/api/summits/{key}"]["get"]["responses"]["200"]["content"]
    assert "application/ld+json" in schema
    assert "Membership" in spec["components"]["schemas"]


def test_a_list_longer_than_the_sort_limit_pages_in_the_stores_order(client: TestClient) -> None:
    """Past NATOKG_REST_SORT_LIMIT a list is not sorted (the sort costs the whole list), says so, and its
    pages still partition it: every item once, the same on every reading."""
    runtime = client.app.state.service.runtime  # type: ignore[attr-defined]
    countries = next(kind for kind in KINDS if kind.path == "countries")

    def pages(sort_limit: int) -> list[tuple[bool, int, list[str]]]:
        out = []
        for offset in range(0, 200, 7):
            view = Lookups(runtime.store, runtime.queries, runtime.settings.id_base, "en", sort_limit=sort_limit)
            page = countries.page(view, limit=7, offset=offset)
            out.append((page.ordered, page.total, [item.key for item in page.items]))
        return out

    sorted_pages, store_pages = pages(10_000), pages(5)
    total = sorted_pages[0][1]
    sorted_keys = [key for _, _, keys in sorted_pages for key in keys]
    store_keys = [key for _, _, keys in store_pages for key in keys]
    assert all(ordered for ordered, _, _ in sorted_pages) and sorted_keys == sorted(sorted_keys)
    assert not any(ordered for ordered, _, _ in store_pages)
    assert {t for _, t, _ in store_pages} == {total} and len(store_keys) == total
    assert sorted(store_keys) == sorted_keys  # every country once
    assert pages(5) == store_pages  # the same order on every reading
    assert get(client, "/api/countries?limit=3")["ordered"] is True
