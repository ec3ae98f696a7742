"""Our own bounded SELECTs evaluated in the calling thread give exactly the rows a query worker gives."""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient

from app.store.base import SelectsHere, select

COUNTRY = "https://w3id.org/natokg/id/country/"


def _rows(rows: list[dict]) -> list[dict]:
    return [{name: (type(term).__name__, str(term)) for name, term in row.items()} for row in rows]


@pytest.mark.parametrize(("name", "params"), [
    ("api-memberships", {"member": COUNTRY + "FRA"}),
    ("api-memberships", {"member": COUNTRY + "UKR", "date": "2000-01-01"}),
    ("api-suspensions", {"member": COUNTRY + "RUS"}),
    ("api-countries", {"item": [COUNTRY + "FRA", COUNTRY + "UKR"]}),
    ("members-on-date", {"date": "1999-03-12", "lang": "fr"}),
])
def test_rows_in_this_thread_are_the_workers_rows(client: TestClient, name: str, params: dict) -> None:
    runtime = client.app.state.service.runtime  # type: ignore[attr-defined]
    assert isinstance(runtime.store, SelectsHere)
    query = runtime.queries[name]
    bindings = query.bind(params, iri_base=runtime.settings.id_base)
    by_worker = select(runtime.store, query.text, bindings)
    here = select(runtime.store, query.text, bindings, bounded=True)
    assert by_worker and _rows(here) == _rows(by_worker)


def test_the_row_limit_holds_in_this_thread(client: TestClient) -> None:
    runtime = client.app.state.service.runtime  # type: ignore[attr-defined]
    query = runtime.queries["members-on-date"]
    bindings = query.bind({"date": "2024-01-01", "lang": "en"}, iri_base=runtime.settings.id_base)
    assert len(select(runtime.store, query.text, bindings, bounded=True)) > 5
    assert len(select(runtime.store, query.text, bindings, bounded=True, max_rows=5)) == 5


def test_threads_evaluate_at_once(client: TestClient) -> None:
    """The REST threads share the store: many at once give the same rows as one alone."""
    runtime = client.app.state.service.runtime  # type: ignore[attr-defined]
    query = runtime.queries["api-memberships"]
    bindings = query.bind({}, iri_base=runtime.settings.id_base)
    alone = _rows(select(runtime.store, query.text, bindings, bounded=True))
    results: list[list[dict]] = []
    threads = [threading.Thread(target=lambda: results.append(_rows(select(runtime.store, query.text, bindings, bounded=True))))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(alone) > 100 and results == [alone] * 8
