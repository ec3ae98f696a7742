"""The map page without JavaScript: for a day (and a framework), the summary and the table say who was an Ally and
who a partner, as the named queries members-on-date and partners-on-date answer; bad parameters are 400 problems."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

DAY = "1997-07-08"  # the Madrid summit invites Czechia, Hungary and Poland; the EAPC is five weeks old


def bindings(client: TestClient, name: str, **params: str) -> list[dict[str, dict[str, str]]]:
    response = client.get(f"/api/queries/{name}", params=params, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    rows: list[dict[str, dict[str, str]]] = response.json()["results"]["bindings"]
    return rows


def table(text: str) -> dict[str, str]:
    """ISO code -> the role cell of the page's table."""
    rows = re.findall(r'<tr><td><a href="/id/country/\w+">[^<]*</a></td><td>(\w{3})</td>\s*<td>(.*?)</td>', text, re.S)
    return {iso: re.sub(r"\s+", " ", role).strip() for iso, role in rows}


def test_the_table_lists_the_allies_and_partners_of_the_day(client: TestClient) -> None:
    response = client.get("/map", params={"at": DAY}, headers={"Accept": "text/html"})
    assert response.status_code == 200
    roles = table(response.text)
    members = {r["iso"]["value"] for r in bindings(client, "members-on-date", date=DAY)}
    partners = {r["iso"]["value"] for r in bindings(client, "partners-on-date", date=DAY)}
    assert members == {iso for iso, role in roles.items() if role.startswith("Ally")} and len(members) == 16
    assert partners == {iso for iso, role in roles.items() if "partner in" in role}
    assert roles["UKR"] == "partner in Euro-Atlantic Partnership Council; partner in Partnership for Peace"
    assert "(suspended)" in roles["MLT"]  # Malta's PfP participation was suspended from October 1996 to 2008
    assert f"16 Allies;\n{len(partners)} partners" in response.text


def test_a_framework_narrows_the_partners(client: TestClient) -> None:
    response = client.get("/map", params={"at": DAY, "framework": "mediterranean-dialogue", "lang": "fr"})
    roles = table(response.text)
    dialogue = {r["iso"]["value"] for r in bindings(client, "partners-on-date", date=DAY,
                                                     framework="https://w3id.org/natokg/id/framework/mediterranean-dialogue")}
    assert {iso for iso, role in roles.items() if "partenaire dans" in role} == dialogue == {"EGY", "ISR", "JOR", "MAR", "MRT", "TUN"}
    assert '<option value="mediterranean-dialogue" selected>' in response.text


def test_bad_days_and_frameworks_are_problems(client: TestClient) -> None:
    for params, named in (({"at": "1997-13-01"}, "at"), ({"at": "1900-01-01"}, "at"), ({"framework": "nowhere"}, "framework")):
        response = client.get("/map", params=params, headers={"Accept": "text/html"})
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert named in response.json()["detail"]
