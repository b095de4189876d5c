// Search page: a name (with an optional birth date, country, kind and list), ranked results
// with the matched words highlighted and the explanation in plain sentences.
"use strict";

(() => {
  const { el } = WL;
  const SCHEMAS = [["", "Any kind"], ["Person", "Person"], ["Organization", "Organisation"], ["Vessel", "Vessel"], ["Airplane", "Aircraft"]];

  function field(id, label, input, hint) {
    return el("div", { class: "field" }, el("label", { for: id }, label), input, hint ? el("small", { id: `${id}-hint` }, hint) : null);
  }

  function highlighted(segments) {
    return segments.map((s) => (s.matched ? el("mark", {}, s.text) : s.text));
  }

  function scoreBar(score, isMatch) {
    const pct = Math.round(score * 100);
    return el("div", { class: "score" },
      el("span", { class: `verdict ${isMatch ? "hit" : "miss"}` }, isMatch ? "Possible match" : "Below threshold"),
      el("meter", { min: 0, max: 1, value: score, "aria-label": `score ${score.toFixed(2)}` }),
      el("span", { class: "num" }, score.toFixed(2)),
      el("span", { class: "sr" }, ` (${pct} out of 100)`));
  }

  function result(r, i) {
    const href = `/entities/${encodeURIComponent(r.id)}`;
    return el("li", { class: `result ${r.match ? "is-match" : ""}`, "data-result": r.id },
      el("div", { class: "result-head" },
        el("span", { class: "rank" }, `${i + 1}.`),
        el("a", { href, "data-link": true, class: "caption" }, r.caption),
        el("span", { class: "badge" }, r.schema),
        el("span", { class: "badge list" }, r.list)),
      scoreBar(r.score, r.match),
      el("p", { class: "names" },
        el("span", { class: "label" }, "Listed name: "), el("span", { class: "matched-name" }, highlighted(r.matched_name_highlight)),
        el("span", { class: "kind" }, ` (${r.explanation.matched_name_kind.replace("_", " ")})`)),
      el("p", { class: "names" }, el("span", { class: "label" }, "Your name: "), el("span", {}, highlighted(r.query_highlight))),
      el("details", { class: "why", open: i === 0 ? true : null },
        el("summary", {}, "Why this result"),
        el("ul", {}, r.summary.map((s) => el("li", {}, s)))));
  }

  async function listOptions(select, selected) {
    try {
      const l = await WL.api("/v1/lists");
      for (const list of l.lists) select.append(el("option", { value: list.key, selected: list.key === selected ? true : null }, `${list.key} (${list.entity_count})`));
    } catch (_) { /* the search itself will show the error */ }
  }

  async function render(main, _params, query) {
    const q = query.get("q") || "";
    const input = el("input", { id: "q", name: "q", type: "search", value: q, required: true, autocomplete: "off", spellcheck: "false", "data-search-box": true, "aria-describedby": "q-hint" });
    const dob = el("input", { id: "birth_date", name: "birth_date", value: query.get("birth_date") || "", placeholder: "YYYY-MM-DD", inputmode: "numeric", autocomplete: "off" });
    const country = el("input", { id: "country", name: "country", value: query.get("country") || "", placeholder: "e.g. kp or North Korea", autocomplete: "off" });
    const schema = el("select", { id: "schema", name: "schema" }, SCHEMAS.map(([v, t]) => el("option", { value: v, selected: v === (query.get("schema") || "") ? true : null }, t)));
    const list = el("select", { id: "list", name: "list" }, el("option", { value: "" }, "All lists"));
    const form = el("form", { class: "search", role: "search", onsubmit: (ev) => {
      ev.preventDefault();
      const p = new URLSearchParams();
      for (const [k, v] of new FormData(form)) if (String(v).trim()) p.set(k, String(v).trim());
      WL.go(`/search?${p}`);
    } },
    field("q", "Name", input, "Press / to come back here. Any script: Latin, Cyrillic, Arabic, Korean…"),
    el("div", { class: "row" }, field("birth_date", "Birth date (optional)", dob), field("country", "Country (optional)", country), field("schema", "Kind", schema), field("list", "List", list)),
    el("button", { type: "submit" }, "Search"));
    const out = el("section", { id: "results", "aria-live": "polite" });
    main.replaceChildren(el("h1", {}, "Screen a name"), form, out);
    listOptions(list, query.get("list") || "");
    if (!q) {
      input.focus();
      out.append(el("p", { class: "hint" }, "Type a name and press Enter. Results are ranked; the words that matched are highlighted, and “Why this result” explains the score."));
      return;
    }
    out.append(el("p", { class: "hint" }, "Searching…"));
    const p = new URLSearchParams(query);
    if (!p.get("limit")) p.set("limit", "20");
    try {
      const r = await WL.api(`/v1/search?${p}`);
      if (r.warning) WL.banner(r.warning, "warn");
      const matches = r.results.filter((x) => x.match).length;
      const head = el("p", { class: "count" }, r.results.length === 0
        ? `No listed name resembles “${r.q}”.`
        : `${r.results.length} result${r.results.length > 1 ? "s" : ""} for “${r.q}”, ${matches} at or above the threshold ${r.threshold.toFixed(2)}.`);
      out.replaceChildren(head,
        ...r.warnings.map((w) => el("p", { class: "warn-line" }, w)),
        el("ol", { class: "results" }, r.results.map(result)));
    } catch (err) {
      out.replaceChildren(WL.errorBox(err));
    }
  }

  WL.page({ path: "/", title: "Search", render });
  WL.page({ path: "/search", title: "Search", render });
  WL.nav({ path: "/", label: "Search", order: 10, active: ["/", "/search"] });
})();
