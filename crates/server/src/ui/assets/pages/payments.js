// Payments page: paste a payment message (ISO 20022 pacs.008 / pain.001 XML, or SWIFT MT103 /
// MT101), screen it with POST /v1/screen/payment, and read the hits field by field: the
// message field, what it holds, and the listed entity or the region rule it hit.
"use strict";

(() => {
  const { el } = WL;
  const KINDS = { name: "Name", identifier: "Identifier", mention: "Mentioned in text", region: "Sanctioned region" };

  function hitRow(h, i) {
    const what = h.entity
      ? el("td", {},
        el("a", { href: `/entities/${encodeURIComponent(h.entity.entity_id)}`, "data-link": true, class: "caption" }, h.entity.caption), el("br"),
        el("span", { class: "mono muted" }, h.entity.entity_id),
        h.entity.summary.length ? el("details", { class: "why" }, el("summary", {}, "Why"), el("ul", {}, h.entity.summary.map((s) => el("li", {}, s)))) : null)
      : el("td", {},
        el("span", { class: "mono" }, h.region.rule), ` ${h.region.title}`, el("br"),
        el("span", { class: "muted" }, h.region.why));
    const score = h.entity
      ? el("td", { class: "num" }, h.entity.score.toFixed(2))
      : el("td", {}, el("span", { class: `verdict ${h.region.severity === "hit" ? "hit" : "miss"}` }, h.region.severity));
    return el("tr", { class: h.entity ? "hit-entity" : "hit-region", "data-field": h.field, id: `hit-${i}` },
      el("th", { scope: "row", class: "mono" }, h.field),
      el("td", {}, KINDS[h.kind] || h.kind, h.role ? el("span", { class: "muted" }, ` (${h.role.replace(/_/g, " ")})`) : null),
      el("td", { class: "value" }, h.value),
      what, score);
  }

  function message(m, i, total) {
    const head = `${m.format}${m.reference ? ` ${m.reference}` : ""}${total > 1 ? ` (message ${i + 1} of ${total})` : ""}`;
    return el("section", { class: "card wide message" },
      el("h2", {}, head),
      el("p", { class: m.hits.length ? "count" : "muted" }, m.hits.length
        ? `${m.hits.length} hit${m.hits.length === 1 ? "" : "s"}; ${m.parties} parties and agents screened.`
        : `No hit: ${m.parties} parties and agents screened, the free text scanned, the addresses checked.`),
      m.hits.length ? el("table", { class: "hits" },
        el("thead", {}, el("tr", {}, ["Field", "Kind", "Value", "Listed entity or rule", "Score"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, m.hits.map(hitRow))) : null,
      m.recorded ? el("p", { class: "muted" }, `Recorded as screening #${m.recorded.seq}${m.recorded.alerts_opened.length ? `; alerts opened: ${m.recorded.alerts_opened.map((a) => `#${a}`).join(", ")}` : ""}.`) : null);
  }

  async function render(main) {
    const area = el("textarea", { id: "pay-text", rows: 14, spellcheck: "false", class: "mono", "aria-describedby": "pay-hint", placeholder: "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08\">…  or  {1:F01…}{2:I103…}{4:…-}" });
    const out = el("section", { id: "pay-results", "aria-live": "polite" });
    const form = el("form", { class: "search", onsubmit: (ev) => { ev.preventDefault(); screen(); } },
      el("div", { class: "field" }, el("label", { for: "pay-text" }, "Payment message"), area,
        el("small", { id: "pay-hint" }, "ISO 20022 pacs.008 or pain.001 XML, or SWIFT MT103 / MT101. Ctrl+Enter screens.")),
      el("button", { type: "submit", id: "pay-screen" }, "Screen"));
    area.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); screen(); }
    });

    async function screen() {
      if (!area.value.trim()) { area.focus(); return; }
      out.replaceChildren(el("p", { class: "hint" }, "Screening…"));
      try {
        const r = await WL.api("/v1/screen/payment", { method: "POST", headers: { "Content-Type": "text/plain; charset=utf-8" }, body: area.value });
        if (r.warning) WL.banner(r.warning, "warn");
        out.replaceChildren(...r.messages.map((m, i) => message(m, i, r.messages.length)));
      } catch (err) {
        out.replaceChildren(WL.errorBox(err));
        if (err.position && err.position.line) {
          // put the caret on the line the error names
          const lines = area.value.split("\n");
          const upto = lines.slice(0, err.position.line - 1).join("\n").length + (err.position.line > 1 ? 1 : 0);
          area.focus();
          area.setSelectionRange(upto + Math.max(0, (err.position.column || 1) - 1), upto + (lines[err.position.line - 1] || "").length);
        }
      }
    }

    main.replaceChildren(el("h1", {}, "Screen a payment"), form, out);
    area.focus();
  }

  WL.page({ path: "/payments", title: "Payments", render });
  WL.nav({ path: "/payments", label: "Payments", order: 50 });
})();
