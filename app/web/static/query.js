// The SPARQL query page: runs the form's query against /sparql and shows the answer as a table.
// No framework, no network but this app. Answers are inserted as text nodes, never as HTML.
(function () {
  "use strict";
  const form = document.getElementById("sparql-form");
  const textarea = document.getElementById("query");
  const example = document.getElementById("example");
  const format = document.getElementById("format");
  const status = document.getElementById("status");
  const results = document.getElementById("results");

  function cell(tag, text, href) {
    const element = document.createElement(tag);
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = text;
      element.appendChild(link);
    } else {
      element.textContent = text;
    }
    return element;
  }

  function termText(term) {
    if (!term) return ["", null];
    if (term.type === "uri") {
      const local = term.value.indexOf("/id/") >= 0 ? term.value.slice(term.value.indexOf("/id/")) : null;
      return [term.value, local && term.value.startsWith(location.origin) ? local : (local ? term.value : null)];
    }
    if (term["xml:lang"]) return [term.value + " @" + term["xml:lang"], null];
    return [term.value, null];
  }

  function showTable(answer) {
    const table = document.createElement("table");
    const head = table.createTHead().insertRow();
    answer.head.vars.forEach((name) => head.appendChild(cell("th", name)));
    const body = table.createTBody();
    answer.results.bindings.forEach((binding) => {
      const row = body.insertRow();
      answer.head.vars.forEach((name) => {
        const [text, href] = termText(binding[name]);
        row.appendChild(cell("td", text, href));
      });
    });
    results.replaceChildren(table);
    const count = answer.results.bindings.length;
    status.textContent = count + (count === 1 ? " row" : " rows") + (answer.truncated ? " (cut at the row limit)" : "");
  }

  function showText(text) {
    const pre = document.createElement("pre");
    pre.textContent = text;
    results.replaceChildren(pre);
  }

  async function run(event) {
    if (event) event.preventDefault();
    const chosen = format.value;
    const url = form.action + "?" + new URLSearchParams({ query: textarea.value, format: chosen }).toString();
    status.textContent = "…";
    history.replaceState(null, "", "?" + new URLSearchParams({ query: textarea.value }).toString());
    try {
      const response = await fetch(url);
      const type = response.headers.get("content-type") || "";
      if (!response.ok) {
        const problem = type.indexOf("json") >= 0 ? await response.json() : { title: response.statusText, detail: await response.text() };
        status.textContent = response.status + " " + (problem.title || "");
        showText(problem.detail || "");
        results.firstChild.className = "problem";
        return;
      }
      if (chosen === "json") {
        const answer = await response.json();
        if (answer.boolean !== undefined) {
          status.textContent = "";
          showText(String(answer.boolean));
        } else {
          showTable(answer);
        }
      } else {
        status.textContent = response.headers.get("x-natokg-truncated") ? "cut at the row limit" : "";
        showText(await response.text());
      }
    } catch (error) {
      status.textContent = "The service did not answer.";
      showText(String(error));
    }
  }

  example.addEventListener("change", () => {
    const option = example.selectedOptions[0];
    if (option && option.dataset.query) textarea.value = option.dataset.query;
  });
  form.addEventListener("submit", run);
  if (form.dataset.autorun === "true") run();
})();
