// Documents page: paste a text (or HTML source), scan it with POST /v1/scan, read it back with
// the mentions of listed entities and of sanctioned regions highlighted, and a list of the
// mentions with the explanation of each. Ctrl+Enter scans; every highlight is a link to its
// entry in the list, and each entry links back to its place in the text.
"use strict";

(() => {
  const { el } = WL;

  /** The findings as marks over the text: [{start, end, kind, ref}] in JS string offsets. */
  function marks(text, body) {
    // the API counts UTF-8 bytes; map byte offsets to string offsets through the encoding
    const bytes = new TextEncoder().encode(text);
    const dec = new TextDecoder();
    const at = (b) => dec.decode(bytes.subarray(0, Math.max(0, Math.min(b, bytes.length)))).length;
    const out = [];
    body.mentions.forEach((m, i) => out.push({ start: at(m.start), end: at(m.end), kind: "mention", ref: `m-${i}`, label: `${m.caption} (${m.entity_id}), score ${m.score.toFixed(2)}` }));
    body.regions.forEach((r, i) => out.push({ start: at(r.start), end: at(r.end), kind: "region", ref: `r-${i}`, label: `${r.title} (${r.rule})` }));
    out.sort((a, b) => a.start - b.start || b.end - a.end);
    return out;
  }

  /** The text with the marks as highlighted links (overlapping marks after the first are left out). */
  function highlighted(text, ms) {
    const pre = el("pre", { class: "doc", id: "doc-view", tabindex: "-1" });
    let pos = 0;
    for (const m of ms) {
      if (m.start < pos || m.end <= m.start) continue;
      pre.append(text.slice(pos, m.start));
      pre.append(el("a", { href: `#${m.ref}`, class: `hl ${m.kind}`, id: `at-${m.ref}`, title: m.label, "aria-label": `${text.slice(m.start, m.end)}: ${m.label}`, onclick: (ev) => jump(ev, m.ref) },
        el("mark", { class: m.kind }, text.slice(m.start, m.end))));
      pos = m.end;
    }
    pre.append(text.slice(pos));
    return pre;
  }

  function jump(ev, id) {
    const target = document.getElementById(id);
    if (!target) return;
    ev.preventDefault();
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }

  function mentionItem(m, i) {
    return el("li", { class: "result is-match", id: `m-${i}`, tabindex: "-1", "data-mention": m.entity_id },
      el("div", { class: "result-head" },
        el("a", { href: `#at-m-${i}`, class: "mono", onclick: (ev) => jump(ev, `at-m-${i}`) }, `“${m.text.replace(/\s+/g, " ")}”`),
        el("span", { class: "muted" }, ` bytes ${m.start}–${m.end}`)),
      el("p", { class: "names" },
        el("a", { href: `/entities/${encodeURIComponent(m.entity_id)}`, "data-link": true, class: "caption" }, m.caption), " ",
        el("span", { class: "badge" }, m.schema), " ", el("span", { class: "badge list" }, m.list), " ",
        el("span", { class: "mono" }, m.entity_id)),
      el("div", { class: "score" },
        el("meter", { min: 0, max: 1, value: m.score, "aria-label": `score ${m.score.toFixed(2)}` }),
        el("span", { class: "num" }, m.score.toFixed(2)),
        el("span", {}, ` listed as “${m.matched_name}”`)),
      el("details", { class: "why" }, el("summary", {}, "Why this mention"), el("ul", {}, m.summary.map((s) => el("li", {}, s)))));
  }

  function regionItem(r, i) {
    return el("li", { id: `r-${i}`, tabindex: "-1" },
      el("a", { href: `#at-r-${i}`, onclick: (ev) => jump(ev, `at-r-${i}`) }, `“${r.matched}”`), " ",
      el("span", { class: `verdict ${r.severity === "hit" ? "hit" : "miss"}` }, r.severity), " ",
      el("span", { class: "mono" }, r.rule), ` ${r.title}: ${r.why}`);
  }

  async function render(main) {
    const area = el("textarea", { id: "doc-text", rows: 12, spellcheck: "false", "aria-describedby": "doc-hint", placeholder: "Paste an article, a contract, a report… (plain text or HTML source)" });
    const format = el("select", { id: "doc-format" }, [["", "Decide from the content"], ["text", "Plain text"], ["html", "HTML"]].map(([v, t]) => el("option", { value: v }, t)));
    const out = el("section", { id: "doc-results", "aria-live": "polite" });
    const form = el("form", { class: "search", onsubmit: (ev) => { ev.preventDefault(); scan(); } },
      el("div", { class: "field" }, el("label", { for: "doc-text" }, "Document"), area,
        el("small", { id: "doc-hint" }, "Ctrl+Enter scans. Every name is screened with the same matcher as a search; references to sanctioned regions are marked too.")),
      el("div", { class: "row" }, el("div", { class: "field" }, el("label", { for: "doc-format" }, "Read as"), format)),
      el("button", { type: "submit", id: "doc-scan" }, "Scan"));
    area.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); scan(); }
    });

    async function scan() {
      const text = area.value;
      if (!text.trim()) { area.focus(); return; }
      out.replaceChildren(el("p", { class: "hint" }, "Scanning…"));
      const req = { text };
      if (format.value) req.format = format.value;
      try {
        const r = await WL.api("/v1/scan", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(req) });
        if (r.warning) WL.banner(r.warning, "warn");
        const entities = new Set(r.mentions.map((m) => m.entity_id)).size;
        out.replaceChildren(
          el("p", { class: "count" }, `${r.mentions.length} mention${r.mentions.length === 1 ? "" : "s"} of ${entities} listed ${entities === 1 ? "entity" : "entities"}, ${r.regions.length} reference${r.regions.length === 1 ? "" : "s"} to sanctioned regions (${r.format}, ${r.bytes} bytes, threshold ${r.threshold.toFixed(2)}).`),
          el("p", { class: "legend" }, el("mark", { class: "mention" }, "listed entity"), " ", el("mark", { class: "region" }, "sanctioned region")),
          el("div", { class: "card wide" }, highlighted(text, marks(text, r))),
          r.mentions.length ? el("h2", {}, "Mentions") : null,
          r.mentions.length ? el("ol", { class: "results", id: "mentions" }, r.mentions.map(mentionItem)) : null,
          r.regions.length ? el("h2", {}, "Sanctioned regions") : null,
          r.regions.length ? el("ul", { class: "regions", id: "regions" }, r.regions.map(regionItem)) : null,
          r.recorded ? el("p", { class: "muted" }, `Recorded as screening #${r.recorded.seq}${r.recorded.alerts_opened.length ? `; alerts opened: ${r.recorded.alerts_opened.map((a) => `#${a}`).join(", ")}` : ""}.`) : null);
        document.getElementById("doc-view").focus({ preventScroll: true });
      } catch (err) {
        out.replaceChildren(WL.errorBox(err));
      }
    }

    main.replaceChildren(el("h1", {}, "Scan a document"), form, out);
    area.focus();
  }

  WL.page({ path: "/documents", title: "Documents", render });
  WL.nav({ path: "/documents", label: "Documents", order: 40 });
})();
