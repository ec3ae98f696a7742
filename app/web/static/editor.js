// The query editor: YASGUI (@zazuko/yasgui, /static/vendor/) on this service's /sparql. Every request it makes
// goes to this server: prefixes are natokg's own (not prefix.cc), classes and properties come from this
// endpoint (not Linked Open Vocabularies), and result IRIs of the graph link to this site's pages, since
// no server answers the graph's w3id.org IRIs yet. Without JavaScript the page keeps its plain form.
(function () {
  "use strict";
  const mount = document.getElementById("yasgui");
  const form = document.getElementById("sparql-form");
  const configEl = document.getElementById("editor-config");
  if (!mount || !form || !configEl || typeof window.Yasgui !== "function") return;
  const config = JSON.parse(configEl.textContent);
  const endpoint = new URL(config.endpoint, window.location.href).href;
  const Yasgui = window.Yasgui;
  const Yasqe = Yasgui.Yasqe;
  const Yasr = Yasgui.Yasr;
  const langQuery = config.lang === "en" ? "" : "?lang=" + encodeURIComponent(config.lang);

  // The page of an IRI on this site (as Site.href in app/web/pages/html.py), else the IRI itself.
  function localHref(iri) {
    if (iri.startsWith(config.idBase)) return config.root + "/id/" + iri.slice(config.idBase.length) + langQuery;
    if (iri === config.ontology || iri.startsWith(config.ontology + "#")) {
      return config.root + "/ontology" + langQuery + iri.slice(config.ontology.length);
    }
    return iri;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  // yasr's table writes every IRI through this one method; the subclass keeps its look (prefixed name, or
  // <IRI>) and changes only where the link goes, opening it in the same window.
  class LocalTable extends Yasr.plugins.table {
    getUriLinkFromBinding(binding, prefixes) {
      const iri = binding.value;
      let shown = iri;
      for (const label in prefixes || {}) {
        if (iri.startsWith(prefixes[label])) {
          shown = label + ":" + iri.slice(prefixes[label].length);
          break;
        }
      }
      const link = `<a class="iri" href="${escapeHtml(localHref(iri))}">${escapeHtml(shown)}</a>`;
      return shown === iri && !(this.persistentConfig && this.persistentConfig.compact) ? `&lt;${link}&gt;` : link;
    }
  }
  Yasr.registerPlugin("table", LocalTable);

  // Prefix completion from natokg's own table (app/core/vocab.py PREFIXES), given as a list: never fetched.
  const prefixLines = Object.keys(config.prefixes).sort().map((p) => `${p}: <${config.prefixes[p]}>`);
  Yasqe.forkAutocompleter("prefixes", { name: "natokg-prefixes", get: prefixLines, persistenceId: null }, false);

  // Class and property completion from this endpoint: the graph's own terms, asked once per page.
  const TERM_QUERIES = {
    class: "SELECT DISTINCT ?term WHERE { ?s a ?term } ORDER BY ?term",
    property: "SELECT DISTINCT ?term WHERE { ?s ?term ?o } ORDER BY ?term",
  };
  const terms = {};
  function termsOf(kind) {
    if (!terms[kind]) {
      const url = endpoint + "?" + new URLSearchParams({ query: TERM_QUERIES[kind] }).toString();
      terms[kind] = fetch(url, { headers: { Accept: "application/sparql-results+json" } })
        .then((response) => (response.ok ? response.json() : { results: { bindings: [] } }))
        .then((answer) => answer.results.bindings.filter((b) => b.term.type === "uri").map((b) => b.term.value))
        .catch(() => []);
    }
    return terms[kind];
  }
  for (const kind of ["class", "property"]) {
    Yasqe.forkAutocompleter(kind, {
      name: "natokg-" + kind,
      get: (_yasqe, token) => {
        const typed = (token && token.autocompletionString) || "";
        return termsOf(kind).then((all) => all.filter((iri) => iri.startsWith(typed)).slice(0, 100));
      },
    }, false);
  }

  // Tabs are kept in this browser's localStorage under a name of this site's own (and mount path), and
  // every tab is put back on this endpoint: an endpoint typed on an earlier visit never sticks.
  const persistenceId = "natokg-editor" + config.root.replace(/[^A-Za-z0-9]/g, "_");
  const yasgui = new Yasgui(mount, {
    persistenceId: persistenceId,
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }], keys: [] },
    // `?query=` (or YASGUI's own #query= share link) opens a tab and runs it, here and only here.
    populateFromUrl: (tab) => {
      tab.requestConfig.endpoint = endpoint;
      tab.requestConfig.args = [];
      tab.name = config.lang === "fr" ? "Requête partagée" : "Shared query";
      return tab;
    },
    tabName: config.lang === "fr" ? "Requête" : "Query",
    yasqe: {
      value: config.query,
      autocompleters: ["natokg-prefixes", "natokg-class", "natokg-property", "variables"],
      prefixCcApi: null,
      editorHeight: "22rem",
    },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table", pluginOrder: ["table", "chart", "response"] },
  });
  for (const id in yasgui._tabs) {
    if (yasgui._tabs[id].getEndpoint() !== endpoint) yasgui._tabs[id].setEndpoint(endpoint);
  }

  // The examples: each opens in a tab of its own (or its earlier one, if unchanged) and runs.
  function openExample(name) {
    const example = config.examples[name];
    if (!example) return false;
    const chosen = document.getElementById("example-select");
    if (chosen && chosen.value !== name) {
      chosen.value = name;
      chosen.dispatchEvent(new Event("change"));
    }
    const tab = yasgui.addTab(true, { name: example.title, yasqe: { value: example.text }, requestConfig: { endpoint: endpoint } },
      { avoidDuplicateTabs: true });
    tab.show();
    tab.query().catch(() => {});
    mount.scrollIntoView({ block: "start" });
    const editor = tab.getYasqe();
    if (editor) editor.focus();
    return true;
  }
  document.querySelectorAll("a[data-example]").forEach((link) => {
    link.addEventListener("click", (event) => {
      if (openExample(link.dataset.example)) event.preventDefault();
    });
  });
  const bar = document.getElementById("example-bar");
  const select = document.getElementById("example-select");
  const description = document.getElementById("example-description");
  if (bar && select && description) {
    const describe = () => {
      const option = select.selectedOptions[0];
      description.textContent = option ? option.dataset.description : "";
    };
    select.addEventListener("change", describe);
    document.getElementById("example-open").addEventListener("click", () => openExample(select.value));
    describe();
    bar.hidden = false;
  }

  // Names for YASGUI's unlabelled controls (WCAG 4.1.2), given again whenever it draws a tab or a table.
  const NAMES = [
    [".CodeMirror textarea", config.lang === "fr" ? "Requête SPARQL" : "SPARQL query"],
    [".controlbar input.autocomplete", config.lang === "fr" ? "Point d'accès SPARQL" : "SPARQL endpoint"],
    ["select.tableSizer", config.lang === "fr" ? "Lignes par page" : "Rows per page"],
    [".CodeMirror-hints", config.lang === "fr" ? "Suggestions" : "Suggestions"],
  ];
  function nameControls() {
    for (const [selector, name] of NAMES) {
      mount.querySelectorAll(selector).forEach((element) => {
        if (!element.hasAttribute("aria-label")) element.setAttribute("aria-label", name);
      });
    }
  }
  new MutationObserver(nameControls).observe(mount, { childList: true, subtree: true });
  nameControls();

  form.hidden = true;
  mount.dataset.ready = "true";
  window.natokgEditor = yasgui; // for the browser tests and for anyone at the console
})();
