// A "Chart" view for the query editor's results (yasr plugin), drawn with Observable Plot (/static/vendor/,
// over d3): YASGUI 4.6.2 ships no chart plugin of its own. It offers itself when a SELECT answer has a column
// of numbers or of dates beside another column, and draws:
//   numbers by category -> horizontal bars (the largest first);
//   numbers by date     -> a line with its points;
//   dates by category   -> a dot per row on a time axis (what began when).
// The user picks the two columns; the chart has a text summary, and the table view holds the same rows.
(function () {
  "use strict";
  if (typeof window.Yasgui !== "function" || typeof window.Plot === "undefined") return;
  const Plot = window.Plot;
  const XSD = "http://www.w3.org/2001/XMLSchema#";
  const NUMBERS = new Set(["integer", "decimal", "double", "float", "int", "long", "short", "byte",
    "nonNegativeInteger", "positiveInteger", "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong"]);
  const DATES = new Set(["date", "dateTime", "dateTimeStamp", "gYear", "gYearMonth"]);
  const MAX_ROWS = 200;
  const french = document.documentElement.lang === "fr";
  const t = (english, francais) => (french ? francais : english);

  function kindOf(term) {
    if (!term) return "none";
    if (term.type !== "literal" && term.type !== "typed-literal") return "term";
    const datatype = term.datatype || "";
    if (!datatype.startsWith(XSD)) return "term";
    const local = datatype.slice(XSD.length);
    if (NUMBERS.has(local)) return "number";
    if (DATES.has(local)) return "date";
    return "term";
  }

  // Each column's kind: number or date when every bound value is one, else term.
  function columnKinds(variables, bindings) {
    const kinds = {};
    for (const variable of variables) {
      const seen = new Set(bindings.map((row) => kindOf(row[variable])).filter((k) => k !== "none"));
      kinds[variable] = seen.size === 1 ? [...seen][0] : seen.size === 0 ? "none" : "term";
    }
    return kinds;
  }

  function toDate(value) {
    // xsd:gYear "1994", xsd:gYearMonth "2014-09", xsd:date "1997-07-08": the first day of the period
    const [year, month, day] = value.split("T")[0].split("-");
    return new Date(Date.UTC(Number(year), month ? Number(month) - 1 : 0, day ? Number(day) : 1));
  }

  function shown(term, prefixes) {
    if (!term) return "";
    if (term.type === "uri") {
      for (const prefix in prefixes || {}) {
        if (term.value.startsWith(prefixes[prefix])) return prefix + ":" + term.value.slice(prefixes[prefix].length);
      }
      return term.value.replace(/^.*[/#]/, "") || term.value;
    }
    return term.value;
  }

  class ChartPlugin {
    constructor(yasr) {
      this.yasr = yasr;
      this.priority = 5;
      this.label = t("Chart", "Graphique");
      this.helpReference = "https://observablehq.com/plot/";
      this.choice = {};
    }

    columns() {
      const results = this.yasr.results;
      if (!results || !results.getVariables || results.getType() !== "json") return null;
      const variables = results.getVariables();
      const bindings = results.getBindings() || [];
      if (!variables.length || !bindings.length) return null;
      const kinds = columnKinds(variables, bindings);
      const measures = variables.filter((v) => kinds[v] === "number" || kinds[v] === "date");
      if (!measures.length || variables.length < 2) return null;
      return { variables, bindings, kinds, measures };
    }

    canHandleResults() {
      return this.columns() !== null;
    }

    getIcon() {
      const icon = document.createElement("span");
      icon.setAttribute("aria-hidden", "true");
      icon.textContent = "▮▮";
      icon.className = "natokg-chart-icon";
      return icon;
    }

    select(labelText, name, options, chosen) {
      const wrap = document.createElement("label");
      wrap.className = "natokg-chart-choice";
      wrap.append(labelText + " ");
      const select = document.createElement("select");
      select.name = name;
      for (const value of options) {
        const option = document.createElement("option");
        option.value = value;
        option.textContent = "?" + value;
        option.selected = value === chosen;
        select.append(option);
      }
      select.addEventListener("change", () => {
        this.choice[name] = select.value;
        this.draw();
      });
      wrap.append(select);
      return wrap;
    }

    draw() {
      const found = this.columns();
      const el = this.yasr.resultsEl;
      el.replaceChildren();
      if (!found) return;
      const { variables, bindings, kinds, measures } = found;
      const measure = measures.includes(this.choice.measure) ? this.choice.measure
        : measures.find((v) => kinds[v] === "number") || measures[0];
      const others = variables.filter((v) => v !== measure);
      const preferred = others.find((v) => kinds[v] === (kinds[measure] === "number" ? "date" : "none"))
        || others.find((v) => bindings.some((row) => row[v] && row[v].type !== "uri" && kindOf(row[v]) === "term"))
        || others[0];
      const by = others.includes(this.choice.by) ? this.choice.by : preferred;
      const controls = document.createElement("div");
      controls.className = "natokg-chart-controls";
      controls.append(this.select(t("Value", "Valeur"), "measure", measures, measure),
        this.select(t("by", "selon"), "by", others, by));
      el.append(controls);

      const prefixes = this.yasr.getPrefixes ? this.yasr.getPrefixes() : {};
      const rows = bindings.filter((row) => row[measure] && row[by]).slice(0, MAX_ROWS).map((row) => ({
        value: kinds[measure] === "number" ? Number(row[measure].value) : toDate(row[measure].value),
        by: kinds[by] === "date" ? toDate(row[by].value) : kinds[by] === "number" ? Number(row[by].value) : shown(row[by], prefixes),
      }));
      let marks;
      let options;
      let kind;
      if (kinds[measure] === "number" && (kinds[by] === "date" || kinds[by] === "number")) {
        kind = t("line chart", "courbe");
        marks = [Plot.lineY(rows, { x: "by", y: "value", sort: "by" }), Plot.dot(rows, { x: "by", y: "value", tip: true })];
        options = { x: { label: by }, y: { label: measure, grid: true } };
      } else if (kinds[measure] === "number") {
        kind = t("bar chart", "diagramme en barres");
        marks = [Plot.barX(rows, { x: "value", y: "by", sort: { y: "-x" }, fill: "#1f4e8c", tip: true }), Plot.ruleX([0])];
        options = { x: { label: measure, grid: true }, y: { label: null }, marginLeft: 220,
          height: Math.max(120, 22 * new Set(rows.map((r) => r.by)).size + 40) };
      } else {
        kind = t("time line of dots", "frise de points");
        marks = [Plot.dot(rows, { x: "value", y: "by", fill: "#1f4e8c", tip: true })];
        options = { x: { label: measure, type: "utc" }, y: { label: null }, marginLeft: 220,
          height: Math.max(120, 22 * new Set(rows.map((r) => r.by)).size + 40) };
      }
      const summary = t(`A ${kind} of ?${measure} by ?${by}: ${rows.length} rows` + (bindings.length > MAX_ROWS ? ` (the first ${MAX_ROWS} of ${bindings.length})` : "")
        + ". The table view has the same rows.",
        `Un ${kind} de ?${measure} selon ?${by} : ${rows.length} lignes` + (bindings.length > MAX_ROWS ? ` (les ${MAX_ROWS} premières sur ${bindings.length})` : "")
        + ". La vue en tableau a les mêmes lignes.");
      const figure = document.createElement("figure");
      figure.className = "natokg-chart";
      const chart = Plot.plot({ ...options, marks, width: Math.max(480, el.clientWidth || 900), style: { fontSize: "13px" },
        ariaLabel: summary });
      // The whole chart is one image whose name is the summary: Plot's names of its inner groups ("bar", "rule")
      // would be read as nothing useful, and ARIA does not allow aria-label on an SVG group without a role.
      chart.setAttribute("role", "img");
      chart.querySelectorAll("[aria-label]").forEach((element) => element.removeAttribute("aria-label"));
      const caption = document.createElement("figcaption");
      caption.textContent = summary;
      figure.append(chart, caption);
      el.append(figure);
    }

    download() {
      const svg = this.yasr.resultsEl.querySelector("figure.natokg-chart svg");
      if (!svg) return undefined;
      return { contentType: "image/svg+xml", filename: "chart.svg", title: t("Download the chart (SVG)", "Télécharger le graphique (SVG)"),
        getData: () => new XMLSerializer().serializeToString(svg) };
    }
  }

  window.Yasgui.Yasr.registerPlugin("chart", ChartPlugin);
})();
