// The profile timeline's as-of cursor: a range over the timeline's days; the rows that held on the chosen day
// are drawn darker (certainly: between their latest start and earliest end; possibly: within their earliest
// start and latest end, the recorded precision leaving it open), the others faded, and a sentence says how many.
// The bounds are the graph's own (nkg:earliestStart... in data-* attributes), as the named queries read them.
(function () {
  "use strict";
  const svg = document.querySelector("figure.timeline svg");
  const box = document.querySelector(".asof");
  if (!svg || !box) return;
  const input = box.querySelector("input");
  const output = box.querySelector("output");
  const line = svg.querySelector("#cursor-line");
  const rows = Array.from(svg.querySelectorAll("g.row"));
  const french = document.documentElement.lang === "fr";
  const DAY = 86400000;
  const first = Date.parse(svg.dataset.first);
  const last = Date.parse(svg.dataset.last);
  const left = Number(svg.dataset.left);
  const right = Number(svg.dataset.right);
  // the axis runs to 1 January of the year after the last day
  const end = Date.UTC(new Date(last).getUTCFullYear() + 1, 0, 1);
  input.min = "0";
  input.max = String(Math.round((last - first) / DAY));
  const asked = new URLSearchParams(window.location.search).get("at");
  const start = asked && !Number.isNaN(Date.parse(asked)) ? Date.parse(asked) : last;
  input.value = String(Math.round((Math.min(Math.max(start, first), last) - first) / DAY));
  const iso = (ms) => new Date(ms).toISOString().slice(0, 10);
  const when = (ms) => new Date(ms).toLocaleDateString(french ? "fr-FR" : "en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });

  function draw() {
    const day = first + Number(input.value) * DAY;
    const d = iso(day);
    let certain = 0;
    let possible = 0;
    for (const row of rows) {
      const es = row.dataset.earlieststart, ls = row.dataset.lateststart, ee = row.dataset.earliestend, le = row.dataset.latestend;
      const may = (!es || es <= d) && (!le || d < le) && (es || ls);
      const sure = may && ls && ls <= d && (!ee || d < ee);
      row.classList.toggle("held", Boolean(sure));
      row.classList.toggle("possible", Boolean(may && !sure));
      row.classList.toggle("out", !may);
      if (sure) certain += 1; else if (may) possible += 1;
    }
    const x = left + (right - left) * (day - first) / (end - first);
    line.setAttribute("x1", x.toFixed(1));
    line.setAttribute("x2", x.toFixed(1));
    line.setAttribute("visibility", "visible");
    input.setAttribute("aria-valuetext", when(day));
    output.value = french
      ? `Au ${when(day)} : ${certain} en vigueur` + (possible ? `, ${possible} possibles (dates imprécises)` : "") + ` sur ${rows.length}`
      : `On ${when(day)}: ${certain} held` + (possible ? `, ${possible} possibly (coarse dates)` : "") + ` of ${rows.length}`;
    output.textContent = output.value;
  }
  input.addEventListener("input", draw);
  box.hidden = false;
  draw();
})();
