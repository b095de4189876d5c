// Alerts: the queue (GET /v1/alerts) and one alert (GET /v1/alerts/:id): the screened input
// beside the listed entity, why it scored, the history, and the decision (POST
// /v1/alerts/:id/decision; needs an API key with the write role, whose name is the reviewer).
// Keyboard on the alert page: t, f, e choose true match, false positive, escalate and put the
// cursor in the note; Ctrl+Enter in the note records the decision.
"use strict";

(() => {
  const { el } = WL;
  const STATUSES = [["queue", "Queue (open, escalated, awaiting a second review)"], ["open", "Open"], ["escalated", "Escalated"], ["pending_second_review", "Awaiting a second review"], ["closed", "Closed"], ["all", "All"]];
  const label = (s) => String(s || "").replace(/_/g, " ");

  async function queue(main, _params, query) {
    const status = query.get("status") || "queue";
    const select = el("select", { id: "alert-status", name: "status" }, STATUSES.map(([v, t]) => el("option", { value: v, selected: v === status ? true : null }, t)));
    const form = el("form", { class: "search", onsubmit: (ev) => { ev.preventDefault(); WL.go(`/alerts?status=${encodeURIComponent(select.value)}`); } },
      el("div", { class: "row" }, el("div", { class: "field" }, el("label", { for: "alert-status" }, "Show"), select)),
      el("button", { type: "submit" }, "Show"));
    select.addEventListener("change", () => form.requestSubmit());
    const out = el("section", { id: "alerts", "aria-live": "polite" }, el("p", { class: "hint" }, "Loading…"));
    main.replaceChildren(el("h1", {}, "Alerts"), form, out);
    try {
      const r = await WL.api(`/v1/alerts?status=${encodeURIComponent(status)}&limit=200`);
      if (!r.alerts.length) {
        out.replaceChildren(el("p", { class: "count" }, status === "queue" ? "The queue is empty." : "No alerts."));
        return;
      }
      out.replaceChildren(
        el("p", { class: "count" }, `${r.alerts.length} alert${r.alerts.length === 1 ? "" : "s"}, newest first.`),
        el("table", { class: "alerts" },
          el("thead", {}, el("tr", {}, ["Alert", "Status", "Score", "Screened", "Listed entity", "Opened"].map((h) => el("th", { scope: "col" }, h)))),
          el("tbody", {}, r.alerts.map((a) => el("tr", { "data-alert": a.id },
            el("th", { scope: "row" }, el("a", { href: `/alerts/${a.id}`, "data-link": true }, `#${a.id}`)),
            el("td", {}, el("span", { class: `status ${a.status}` }, label(a.status)), a.disposition ? el("span", { class: "muted" }, ` (${label(a.disposition)})`) : null),
            el("td", { class: "num" }, a.score.toFixed(2)),
            el("td", { class: "mono" }, a.identity),
            el("td", {}, a.caption, el("br"), el("span", { class: "mono muted" }, a.entity_id)),
            el("td", {}, a.created_at.replace("T", " ").slice(0, 19)))))));
      const first = out.querySelector("tbody a");
      if (first) first.focus();
    } catch (err) {
      out.replaceChildren(WL.errorBox(err));
    }
  }

  function dl(pairs) {
    const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0));
    if (!rows.length) return el("p", { class: "muted" }, "Nothing recorded.");
    return el("dl", {}, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, Array.isArray(v) ? v.join("; ") : String(v))]));
  }

  function highlighted(segments) {
    return (segments || []).map((s) => (s.matched ? el("mark", {}, s.text) : s.text));
  }

  /** Where the names of a document, a payment or a roster row were found. */
  function context(ctx) {
    if (!ctx) return null;
    if (ctx.kind === "document") {
      return el("div", {}, el("h3", {}, `Document (${ctx.format}, ${ctx.bytes} bytes)`),
        el("ul", {}, (ctx.mentions || []).map((m) => el("li", {}, `“${m.text}” at bytes ${m.start}–${m.end} → `, el("span", { class: "mono" }, m.entity_id))),
          (ctx.regions || []).map((r) => el("li", {}, `“${r.matched}” at bytes ${r.start}–${r.end} → `, el("span", { class: "mono" }, r.rule)))));
    }
    if (ctx.kind === "payment") {
      return el("div", {}, el("h3", {}, `Payment ${ctx.format} ${ctx.reference || ""}`),
        el("ul", {}, (ctx.hits || []).map((h) => el("li", {}, el("span", { class: "mono" }, h.field), ` ${h.value} → `, el("span", { class: "mono" }, h.entity_id || h.rule || "")))));
    }
    if (ctx.kind === "batch_row") {
      return el("div", {}, el("h3", {}, `Roster row ${ctx.row} (line ${ctx.line})`),
        dl([["Row id", ctx.row_id], ["Employer", ctx.employer], ["Address", ctx.address]]),
        (ctx.hits || []).length ? el("ul", {}, ctx.hits.map((h) => el("li", {}, `${h.kind} ${h.field}: `, el("span", { class: "mono" }, h.match), ` ${h.detail}`))) : null);
    }
    return null;
  }

  function entityCard(e) {
    if (!e) return el("section", { class: "card side-entity" }, el("h2", {}, "Listed entity"), el("p", { class: "muted" }, "The entity is not in the data directory any more."));
    const countries = [...e.nationalities, ...e.citizenships, ...e.countries].map((c) => c.code.toUpperCase());
    return el("section", { class: "card side-entity", "aria-labelledby": "side-entity-h" },
      el("h2", { id: "side-entity-h" }, "Listed entity"),
      dl([
        ["Name", e.caption], ["Id", e.id], ["Kind", e.schema],
        ["Names", e.names.map((n) => n.value)], ["Born", e.birth_dates], ["Countries", [...new Set(countries)]],
        ["Identifiers", e.identifiers.map((i) => `${i.kind} ${i.value}`)], ["Programmes", e.programs], ["Listed on", e.listed_on],
      ]),
      el("p", {}, el("a", { href: `/entities/${encodeURIComponent(e.id)}`, "data-link": true }, "All fields of the entity")));
  }

  function inputCard(c) {
    const q = (c.input && c.input.query) || {};
    return el("section", { class: "card side-input", "aria-labelledby": "side-input-h" },
      el("h2", { id: "side-input-h" }, "Screened input"),
      dl([["Identity", c.alert.identity], ["Names", q.names], ["Kind", q.schema], ["Born", q.birth_dates], ["Countries", (q.countries || []).map((x) => x.toUpperCase())], ["Identifiers", q.identifiers],
        ["Screened", c.screening ? `${c.screening.created_at.replace("T", " ").slice(0, 19)} by ${c.screening.actor} (${c.screening.source})` : null]]),
      context(c.input && c.input.context));
  }

  function why(r) {
    if (!r) return el("section", { class: "card wide" }, el("h2", {}, "Why it scored"), el("p", { class: "muted" }, "The stored result cannot be read."));
    return el("section", { class: "card wide", id: "alert-why" }, el("h2", {}, "Why it scored"),
      el("div", { class: "score" }, el("meter", { min: 0, max: 1, value: r.score, "aria-label": `score ${r.score.toFixed(2)}` }), el("span", { class: "num" }, r.score.toFixed(2))),
      el("p", { class: "names" }, el("span", { class: "label" }, "Screened: "), el("span", {}, highlighted(r.query_highlight))),
      el("p", { class: "names" }, el("span", { class: "label" }, "Listed: "), el("span", {}, highlighted(r.matched_name_highlight))),
      el("ul", {}, (r.summary || []).map((s) => el("li", {}, s))));
  }

  function history(events) {
    return el("section", { class: "card wide" }, el("h2", {}, "History"),
      el("ol", { class: "history" }, events.map((e) => {
        let what = label(e.kind);
        if (e.kind === "decision") what = `decision: ${label(e.data.decision)} → ${label(e.data.status)}`;
        else if (e.kind === "opened" || e.kind === "hit") what = `${e.kind} by screening #${e.data.screening}${typeof e.data.score === "number" ? ` (score ${e.data.score.toFixed(2)})` : ""}`;
        return el("li", {}, el("span", { class: "muted" }, e.at.replace("T", " ").slice(0, 19)), " ", el("strong", {}, e.actor), ` ${what}`, e.note ? el("span", {}, `: ${e.note}`) : null);
      })));
  }

  function decisionForm(c, reload) {
    const closed = c.alert.status === "closed";
    const choice = (value, text, key) => el("label", { class: "choice" },
      el("input", { type: "radio", name: "decision", value, required: true }), ` ${text} `, el("kbd", {}, key));
    const note = el("textarea", { id: "decision-note", rows: 3, required: true, placeholder: "What was compared, which document, who was asked" });
    const whitelist = el("input", { type: "checkbox", id: "decision-whitelist" });
    const msg = el("div", { id: "decision-result", "aria-live": "polite" });
    const form = el("form", { class: "search decision", id: "decision-form", onsubmit: async (ev) => {
      ev.preventDefault();
      const picked = form.querySelector("input[name=decision]:checked");
      if (!picked) { form.querySelector("input[name=decision]").focus(); return; }
      const body = { decision: picked.value, note: note.value, whitelist: whitelist.checked && picked.value === "false_positive" };
      msg.replaceChildren(el("p", { class: "hint" }, "Recording…"));
      try {
        const r = await WL.api(`/v1/alerts/${c.alert.id}/decision`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
        await reload(`Alert #${r.alert.id} ${r.outcome} (reviewer ${r.reviewer}).`);
      } catch (err) {
        msg.replaceChildren(WL.errorBox(err));
      }
    } },
    el("fieldset", {}, el("legend", {}, "Decision"),
      choice("true_match", "True match", "t"), choice("false_positive", "False positive", "f"), choice("needs_escalation", "Escalate", "e")),
    el("div", { class: "field" }, el("label", { for: "decision-note" }, "Note (required)"), note, el("small", {}, "Ctrl+Enter records the decision. A true match closes only when a second reviewer confirms it.")),
    el("label", { class: "choice" }, whitelist, " With a false positive: do not alert on this pair again until the entity's record changes"),
    el("button", { type: "submit" }, "Record decision"), msg);
    note.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.requestSubmit(); }
    });
    return closed ? el("section", { class: "card wide" }, el("h2", {}, "Decision"), el("p", {}, `Closed as ${label(c.alert.disposition)}.`)) : el("section", { class: "card wide" }, form);
  }

  let keyHandler = null;

  async function alertPage(main, params) {
    const id = params.id;
    const load = async (flash) => {
      const c = await WL.api(`/v1/alerts/${encodeURIComponent(id)}`);
      document.title = `Alert #${c.alert.id} · watchlist`;
      const a = c.alert;
      main.replaceChildren(
        el("p", { class: "crumbs" }, el("a", { href: "/alerts", "data-link": true }, "← Alerts")),
        el("h1", {}, `Alert #${a.id}: ${a.caption}`),
        el("p", { class: "sub" }, el("span", { class: `status ${a.status}` }, label(a.status)), a.disposition ? ` (${label(a.disposition)})` : "",
          a.first_reviewer && a.status === "pending_second_review" ? ` · first reviewer ${a.first_reviewer}` : "",
          ` · score ${a.score.toFixed(2)} at threshold ${a.threshold.toFixed(2)} · snapshot ${a.snapshot.slice(0, 12)}`),
        flash ? el("p", { class: "banner ok", role: "status" }, flash) : null,
        el("div", { class: "side-by-side" }, inputCard(c), entityCard(c.entity)),
        why(c.result),
        decisionForm(c, load),
        history(c.events));
    };
    await load();
    if (keyHandler) document.removeEventListener("keydown", keyHandler);
    keyHandler = (ev) => {
      if (!location.pathname.startsWith("/alerts/")) { document.removeEventListener("keydown", keyHandler); keyHandler = null; return; }
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName) || ev.ctrlKey || ev.metaKey || ev.altKey) return;
      const value = { t: "true_match", f: "false_positive", e: "needs_escalation" }[ev.key];
      const radio = value && document.querySelector(`#decision-form input[value=${value}]`);
      if (!radio) return;
      ev.preventDefault();
      radio.checked = true;
      document.getElementById("decision-note").focus();
    };
    document.addEventListener("keydown", keyHandler);
  }

  WL.page({ path: "/alerts", title: "Alerts", render: queue });
  WL.page({ path: "/alerts/:id", title: "Alert", render: alertPage });
  WL.nav({ path: "/alerts", label: "Alerts", order: 60 });
})();
