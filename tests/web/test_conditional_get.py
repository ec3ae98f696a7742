"""Conditional GET (RFC 9110 section 13) on the linked-data representations built per request: resources under
/id/, the ontology, VoID and DCAT carry an ETag and Last-Modified, and a client holding the same copy gets 304."""

from __future__ import annotations

from email.utils import format_datetime, parsedate_to_datetime

import pytest
from fastapi.testclient import TestClient

PAGES = [("/id/country/FRA", "text/turtle"), ("/id/country/FRA", "text/html"), ("/id/membership/nato-FRA", "application/ld+json"),
         ("/id/framework/pfp.nt", None), ("/ontology", "text/turtle"), ("/ontology", "text/html"),
         ("/.well-known/void", "application/n-triples"), ("/catalog", "text/turtle")]


@pytest.mark.parametrize(("path", "accept"), PAGES)
def test_a_held_copy_is_not_sent_again(client: TestClient, path: str, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    first = client.get(path, headers=headers)
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert client.get(path, headers=headers).headers["etag"] == etag  # the same bytes, the same tag
    again = client.get(path, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag and again.headers["last-modified"] == modified
    if accept:
        assert "Accept" in again.headers["vary"]
    assert client.get(path, headers={**headers, "If-Modified-Since": modified}).status_code == 304
    assert client.get(path, headers={**headers, "If-None-Match": '"another"'}).status_code == 200
    earlier = format_datetime(parsedate_to_datetime(modified).replace(year=2000), usegmt=True)
    assert client.get(path, headers={**headers, "If-Modified-Since": earlier}).status_code == 200


def test_each_format_has_its_own_tag(client: TestClient) -> None:
    tags = {client.get("/id/country/FRA", headers={"Accept": media}).headers["etag"]
            for media in ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml", "text/html")}
    assert len(tags) == 5
    turtle = client.get("/id/country/FRA", headers={"Accept": "text/turtle"}).headers["etag"]
    assert client.get("/id/country/FRA", headers={"Accept": "application/n-triples", "If-None-Match": turtle}).status_code == 200


def test_head_revalidates_too(client: TestClient) -> None:
    etag = client.head("/id/country/FRA").headers["etag"]
    assert client.head("/id/country/FRA", headers={"If-None-Match": etag}).status_code == 304
