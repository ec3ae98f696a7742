"""Web pages on another origin reading the service in headless Chromium (Debian's): YASGUI (npm `@zazuko/yasgui`,
served from the test's own origin, never a CDN) running a query and showing its rows, and a page's own fetch()
of a POST that the browser must preflight, reading the answer and the exposed headers. A service whose CORS
setting names another origin is refused by the same browser, so the passing runs show CORS at work."""

from __future__ import annotations

import functools
import http.server
import json
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_service import serving

HERE = Path(__file__).parent
CHROMIUM = shutil.which("chromium")
YASGUI = HERE / "node_modules" / "@zazuko" / "yasgui" / "build"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (apt-get install -y chromium; .ci/run does it)"),
]
LABELS = ("PREFIX nkg: <https://w3id.org/natokg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          'SELECT ?framework ?label WHERE { ?framework a nkg:PartnershipFramework ; rdfs:label ?label FILTER (LANG(?label) = "fr") }')


@pytest.fixture(scope="module")
def other_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A plain static web server on another port (another origin), serving the folder it returns."""
    folder = tmp_path_factory.mktemp("origin")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", folder
    finally:
        server.shutdown()
        server.server_close()


def chromium(profile: Path, url: str) -> str:
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
               "--window-size=1280,1400", "--virtual-time-budget=15000", "--dump-dom", url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


FETCH_PAGE = """<!doctype html><meta charset="utf-8"><title>fetch</title><pre id="out">waiting</pre>
<script>
const base = {base};
async function read() {{
  const post = await fetch(base + "/sparql", {{method: "POST", body: {query},
    headers: {{"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}}}});
  const rows = (await post.json()).results.bindings.map(b => b.label.value);
  const resource = await fetch(base + "/id/country/FRA", {{headers: {{"Accept": "text/turtle"}}}});
  const list = await fetch(base + "/api/countries?limit=2");
  return {{status: post.status, rows, etag: resource.headers.get("ETag"),
           contentLocation: resource.headers.get("Content-Location"), total: list.headers.get("X-Total-Count"),
           link: list.headers.get("Link")}};
}}
read().then(r => {{ out.textContent = JSON.stringify(r); }}, e => {{ out.textContent = "failed: " + e; }});
</script>"""


def fetched(page: Path, url: str, service: str, profile: Path) -> str:
    page.write_text(FETCH_PAGE.format(base=json.dumps(service), query=json.dumps(LABELS)), encoding="utf-8")
    dom = chromium(profile, url)
    return dom.split('<pre id="out">', 1)[1].split("</pre>", 1)[0]


def test_a_preflighted_post_from_another_origin(live_url: str, other_origin: tuple[str, Path], tmp_path: Path) -> None:
    origin, folder = other_origin
    out = fetched(folder / "fetch.html", f"{origin}/fetch.html", live_url, tmp_path / "profile")
    answer = json.loads(out)
    assert answer["status"] == 200
    assert "Partenariat pour la paix" in answer["rows"] and len(answer["rows"]) >= 8
    assert answer["etag"] and answer["contentLocation"] == "/id/country/FRA.ttl"  # exposed headers, readable by the page
    assert int(answer["total"]) > 50 and 'rel="next"' in answer["link"]


def test_an_origin_the_setting_leaves_out_is_refused(other_origin: tuple[str, Path], tmp_path: Path) -> None:
    origin, folder = other_origin
    with serving(tmp_path / "server.log", env={"NATOKG_CORS_ORIGINS": "https://elsewhere.example"}) as narrowed:
        out = fetched(folder / "refused.html", f"{origin}/refused.html", narrowed, tmp_path / "profile")
    assert out.startswith("failed: TypeError")  # what a browser says when CORS does not allow the read


YASGUI_PAGE = """<!doctype html><meta charset="utf-8"><title>YASGUI</title>
<link rel="stylesheet" href="yasgui.min.css">
<div id="yasgui"></div>
<script src="yasgui.min.js"></script>
<script>
localStorage.clear();
const yasgui = new Yasgui(document.getElementById("yasgui"), {{
  requestConfig: {{endpoint: {endpoint}, method: {method}}}, copyEndpointOnNewTab: false}});
const tab = yasgui.getTab();
yasgui.on("queryResponse", () => {{ document.title = "answered"; }});
tab.setQuery({query});
tab.query();
</script>"""


@pytest.mark.skipif(not YASGUI.is_dir(), reason="the npm packages are missing (.ci/run installs them: npm ci --prefix tests/clients)")
@pytest.mark.parametrize("method", ["POST", "GET"])
def test_yasgui_on_another_origin_shows_the_rows(live_url: str, other_origin: tuple[str, Path], tmp_path: Path, method: str) -> None:
    origin, folder = other_origin
    for name in ("yasgui.min.js", "yasgui.min.css"):
        shutil.copy(YASGUI / name, folder / name)
    page = folder / f"yasgui-{method}.html"
    page.write_text(YASGUI_PAGE.format(endpoint=json.dumps(f"{live_url}/sparql"), method=json.dumps(method),
                                       query=json.dumps(LABELS)), encoding="utf-8")
    dom = chromium(tmp_path / "profile", f"{origin}/{page.name}")
    assert "<title>answered</title>" in dom
    table = dom.split("<table", 1)[1].split("</table>", 1)[0]  # YASR's table of results
    assert "Partenariat pour la paix" in table and "Dialogue méditerranéen" in table
    assert table.count("<tr") >= 9  # a header and a row for each of the frameworks
