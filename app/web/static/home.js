// The home page's search box as a combobox (WAI-ARIA 1.2): suggestions from /api/search as the user types,
// chosen with the arrow keys and Enter (or a click), each opening its page; Escape closes the list. Without
// JavaScript the form submits ?q= and the page lists the results.
(function () {
  "use strict";
  const box = document.getElementById("search-box");
  const list = document.getElementById("search-suggestions");
  if (!box || !list) return;
  const lang = document.documentElement.lang;
  let items = [];
  let active = -1;
  let asked = 0;

  function local(iri) {
    const base = box.dataset.idBase;
    const suffix = lang === "en" ? "" : "?lang=" + lang;
    return iri.startsWith(base) ? box.dataset.root + "/id/" + iri.slice(base.length) + suffix : iri;
  }
  function close() {
    list.hidden = true;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
    active = -1;
  }
  function select(index) {
    active = index;
    Array.from(list.children).forEach((li, i) => li.setAttribute("aria-selected", String(i === index)));
    if (index >= 0) box.setAttribute("aria-activedescendant", list.children[index].id);
  }
  function show(hits) {
    items = hits;
    list.replaceChildren(...hits.map((hit, i) => {
      const li = document.createElement("li");
      li.id = "suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.dataset.href = local(hit.id);
      li.append(hit.label ? hit.label.value : hit.matched.value);
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = hit.type;
      li.append(kind);
      li.addEventListener("mousedown", (event) => { event.preventDefault(); window.location.assign(li.dataset.href); });
      return li;
    }));
    list.hidden = hits.length === 0;
    box.setAttribute("aria-expanded", String(hits.length > 0));
    active = -1;
  }
  box.addEventListener("input", () => {
    const q = box.value.trim();
    const ticket = ++asked;
    if (!q) { close(); return; }
    fetch(box.dataset.api + "?" + new URLSearchParams({ q, lang, limit: "8" }), { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : { items: [] }))
      .then((answer) => { if (ticket === asked) show(answer.items); })
      .catch(() => close());
  });
  box.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown") { event.preventDefault(); select(Math.min(items.length - 1, active + 1)); }
    else if (event.key === "ArrowUp") { event.preventDefault(); select(Math.max(0, active - 1)); }
    else if (event.key === "Escape") { close(); }
    else if (event.key === "Enter" && active >= 0) { event.preventDefault(); window.location.assign(list.children[active].dataset.href); }
  });
  box.addEventListener("blur", () => window.setTimeout(close, 150));
})();
