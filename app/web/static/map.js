// The map through time (map.html): Natural Earth's countries (vendor/countries-110m.json, ISO 3166 numeric ids)
// drawn with d3-geo, coloured by the named queries members-on-date and partners-on-date for the chosen day: the
// one as-of rule of the graph decides who held which role, certainly or not; this script only draws the answers.
// The slider, the play button, the date field and the framework select change the day; the URL follows
// (?at=&framework=), so a state can be shared. Without JavaScript the page's table and form do the same.
(function () {
  "use strict";
  const mount = document.getElementById("map");
  if (!mount || typeof window.d3 === "undefined" || typeof window.topojson === "undefined") return;
  const d3 = window.d3;
  const french = document.documentElement.lang === "fr";
  const t = (en, fr) => (french ? fr : en);
  const DAY = 86400000;
  const first = Date.parse(mount.dataset.first);
  const today = Date.parse(mount.dataset.today);
  const form = document.getElementById("map-form");
  const dateInput = document.getElementById("map-at");
  const frameworkSelect = document.getElementById("map-framework");
  const slider = document.getElementById("map-slider");
  const play = document.getElementById("map-play");
  const summary = document.getElementById("map-summary");
  const undrawn = document.getElementById("map-undrawn");
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  const spoken = (ms) => new Date(ms).toLocaleDateString(french ? "fr-FR" : "en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  const cache = new Map();
  let numericOf = {};
  let paths = null;
  let drawnIso = new Set();
  let shown = "";

  function ask(name, params) {
    const query = new URLSearchParams({ ...params, lang: document.documentElement.lang, format: "json" });
    return fetch(mount.dataset.api + name + "?" + query.toString(), { headers: { Accept: "application/sparql-results+json" } })
      .then((response) => {
        if (!response.ok) throw new Error(name + ": " + response.status);
        return response.json();
      })
      .then((answer) => answer.results.bindings);
  }

  // Who held which role on a day: {iso: {label, href, ally, allyCertain, frameworks: [{key, certain, suspended}]}}
  function state(day, framework) {
    const key = day + "|" + framework;
    if (!cache.has(key)) {
      const partners = framework ? { date: day, framework: mount.dataset.idBase + "framework/" + framework } : { date: day };
      cache.set(key, Promise.all([ask("members-on-date", { date: day }), ask("partners-on-date", partners)]).then(([members, rows]) => {
        const countries = {};
        const entry = (row) => countries[row.iso.value] || (countries[row.iso.value] = {
          label: row.label ? row.label.value : row.iso.value, href: localHref(row.country.value), ally: false, allyCertain: true, frameworks: [],
        });
        for (const row of members) {
          const c = entry(row);
          c.ally = true;
          c.allyCertain = row.certain.value === "true";
        }
        for (const row of rows) {
          entry(row).frameworks.push({ key: row.framework.value.split("/").pop(), certain: row.certain.value === "true",
            suspended: row.suspended ? row.suspended.value : "" });
        }
        return countries;
      }));
    }
    return cache.get(key);
  }

  function localHref(iri) {
    return iri.startsWith(mount.dataset.idBase) ? mount.dataset.root + "/id/" + iri.slice(mount.dataset.idBase.length) : iri;
  }

  function draw(world) {
    const width = 960;
    const height = 500;
    const countries = window.topojson.feature(world, world.objects.countries);
    const projection = d3.geoNaturalEarth1().fitSize([width, height], countries);
    const path = d3.geoPath(projection);
    const svg = d3.select(mount).append("svg").attr("viewBox", `0 0 ${width} ${height}`).attr("role", "img")
      .attr("aria-label", t("World map of NATO's Allies and partners on the chosen day; the table below lists them.",
        "Carte du monde des Alliés et partenaires de l'OTAN au jour choisi ; le tableau ci-dessous les énumère."));
    const defs = svg.append("defs");
    for (const [name, colour] of [["ally", "#1f4e8c"], ["partner", "#e08a00"]]) {
      const pattern = defs.append("pattern").attr("id", "hatch-" + name).attr("width", 6).attr("height", 6)
        .attr("patternUnits", "userSpaceOnUse").attr("patternTransform", "rotate(45)");
      pattern.append("rect").attr("width", 6).attr("height", 6).attr("fill", "#ffffff");
      pattern.append("line").attr("x1", 0).attr("y1", 0).attr("x2", 0).attr("y2", 6).attr("stroke", colour).attr("stroke-width", 3);
    }
    paths = svg.append("g").selectAll("path").data(countries.features).join("path")
      .attr("class", "country").attr("d", path).attr("data-numeric", (f) => f.id);
    paths.append("title");
    drawnIso = new Set(Object.keys(numericOf).filter((code) => countries.features.some((f) => f.id === numericOf[code])));
  }

  function paint(countries, day) {
    const byNumeric = {};
    for (const code in countries) byNumeric[numericOf[code]] = countries[code];
    paths.each(function (feature) {
      const c = byNumeric[feature.id];
      const partner = c && !c.ally && c.frameworks.length > 0;
      const uncertain = c && (c.ally ? !c.allyCertain : partner && !c.frameworks.some((f) => f.certain));
      const suspended = c && !c.ally && partner && c.frameworks.every((f) => f.suspended);
      this.setAttribute("class", "country" + (c && c.ally ? " ally" : "") + (partner ? " partner" : "")
        + (uncertain ? " uncertain" : "") + (suspended ? " suspended" : ""));
      const title = this.querySelector("title");
      title.textContent = c ? c.label + ": " + (c.ally ? t("Ally", "Allié") : t("partner in ", "partenaire dans ")
        + c.frameworks.map((f) => f.key + (f.certain ? "" : "?") + (f.suspended ? t(" (suspended)", " (suspendu)") : "")).join(", ")) : "";
    });
    const codes = Object.keys(countries);
    const allies = codes.filter((c) => countries[c].ally);
    const partners = codes.filter((c) => countries[c].frameworks.length > 0);
    const uncertain = (list, test) => list.filter(test).length;
    const alliesUnsure = uncertain(allies, (c) => !countries[c].allyCertain);
    const partnersUnsure = uncertain(partners, (c) => !countries[c].frameworks.some((f) => f.certain));
    const label = frameworkSelect.value ? " " + t("in", "dans") + " " + frameworkSelect.selectedOptions[0].textContent : "";
    summary.textContent = t(`On ${spoken(day)}: `, `Au ${spoken(day)} : `)
      + `${allies.length} ${t("Allies", "Alliés")}` + (alliesUnsure ? ` (${alliesUnsure} ${t("uncertain", "incertains")})` : "") + "; "
      + `${partners.length} ${t("partners", "partenaires")}${label}` + (partnersUnsure ? ` (${partnersUnsure} ${t("uncertain", "incertains")})` : "") + ".";
    const missing = codes.filter((c) => !drawnIso.has(c)).sort();
    undrawn.textContent = missing.length
      ? t("Not drawn at this scale: ", "Non dessinés à cette échelle : ") + missing.map((c) => countries[c].label + " ("
        + (countries[c].ally ? t("Ally", "Allié") : t("partner", "partenaire")) + ")").join(", ") + "."
      : "";
    mount.dataset.shown = iso(day);
  }

  function show(day) {
    const wanted = iso(day) + "|" + frameworkSelect.value;
    shown = wanted;
    dateInput.value = iso(day);
    slider.value = String(Math.round((day - first) / DAY));
    slider.setAttribute("aria-valuetext", spoken(day));
    const url = new URL(window.location.href);
    url.searchParams.set("at", iso(day));
    if (frameworkSelect.value) url.searchParams.set("framework", frameworkSelect.value); else url.searchParams.delete("framework");
    window.history.replaceState(null, "", url);
    return state(iso(day), frameworkSelect.value).then((countries) => {
      if (shown === wanted) paint(countries, day);
    }).catch((error) => { summary.textContent = String(error); });
  }

  let timer = null;
  function stop() {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
    play.setAttribute("aria-pressed", "false");
    play.textContent = t("Play", "Lecture");
  }
  function start() {
    if (Number(slider.value) >= Number(slider.max)) slider.value = "0";
    play.setAttribute("aria-pressed", "true");
    play.textContent = t("Pause", "Pause");
    timer = window.setInterval(() => {
      // one year a step; the last step lands on today
      const next = Math.min(Number(slider.max), Number(slider.value) + 365);
      show(first + next * DAY);
      if (next >= Number(slider.max)) stop();
    }, 700);
  }

  Promise.all([
    fetch(mount.dataset.vendor + "countries-110m.json").then((r) => r.json()),
    fetch(mount.dataset.vendor + "iso-numeric.json").then((r) => r.json()),
  ]).then(([world, numeric]) => {
    numericOf = numeric;
    draw(world);
    slider.min = "0";
    slider.max = String(Math.round((today - first) / DAY));
    slider.closest(".slider").hidden = false;
    document.getElementById("map-figure").hidden = false;
    slider.addEventListener("input", () => show(first + Number(slider.value) * DAY));
    dateInput.addEventListener("change", () => {
      const day = Date.parse(dateInput.value);
      if (!Number.isNaN(day) && day >= first && day <= today) show(day);
    });
    frameworkSelect.addEventListener("change", () => show(first + Number(slider.value) * DAY));
    play.addEventListener("click", () => (timer === null ? start() : stop()));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const day = Date.parse(dateInput.value);
      if (!Number.isNaN(day)) show(Math.min(Math.max(day, first), today));
    });
    const at = Date.parse(dateInput.value);
    return show(Number.isNaN(at) ? today : at);
  }).catch((error) => { summary.textContent = String(error); });
})();
