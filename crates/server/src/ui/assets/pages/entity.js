// Entity page: every field of one listed entity, names grouped by kind, identifiers,
// programmes, the source list and its date, and links to related entities.
"use strict";

(() => {
  const { el } = WL;
  const KINDS = [
    ["primary", "Listed name"],
    ["alias", "Also known as (a.k.a.)"],
    ["weak_alias", "Weak aliases (low-quality a.k.a.)"],
    ["former", "Formerly known as (f.k.a.)"],
    ["new", "Now known as (n.k.a.)"],
    ["original_script", "In the original script"],
  ];
  const ID_LABELS = {
    passport: "Passport", national_id: "National ID", tax_id: "Tax ID", registration: "Registration", lei: "LEI",
    imo: "IMO", mmsi: "MMSI", call_sign: "Call sign", swift: "SWIFT/BIC", website: "Website", email: "Email",
    phone: "Phone", digital_currency: "Digital currency address", aircraft_id: "Aircraft ID", other: "Other",
  };

  function section(title, ...content) {
    const body = content.flat().filter(Boolean);
    if (body.length === 0) return null;
    const wide = body.some((b) => b.tagName === "TABLE");
    return el("section", { class: wide ? "card wide" : "card" }, el("h2", {}, title), ...body);
  }

  function items(values) {
    return values && values.length ? el("ul", {}, values.map((v) => el("li", {}, v))) : null;
  }

  function dl(pairs) {
    const rows = pairs.filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0));
    if (!rows.length) return null;
    return el("dl", {}, rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, Array.isArray(v) ? v.join("; ") : v)]));
  }

  const countries = (cs) => cs.map((c) => (c.name ? `${c.name} (${c.code.toUpperCase()})` : c.code.toUpperCase()));

  function names(e) {
    return KINDS.map(([kind, label]) => {
      const ns = e.names.filter((n) => n.kind === kind);
      if (!ns.length) return null;
      return el("div", { class: "name-group" }, el("h3", {}, label),
        el("ul", {}, ns.map((n) => el("li", { lang: n.lang || null }, n.value, n.lang ? el("span", { class: "muted" }, ` [${n.lang}]`) : null, n.note ? el("span", { class: "muted" }, ` (${n.note})`) : null))));
    });
  }

  function identifiers(e) {
    if (!e.identifiers.length) return null;
    return el("table", {},
      el("thead", {}, el("tr", {}, ["Kind", "Number", "Country", "As published", "Note"].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, e.identifiers.map((i) => el("tr", {},
        el("td", {}, ID_LABELS[i.kind] || i.kind), el("td", { class: "mono" }, i.value), el("td", {}, (i.country || "").toUpperCase()),
        el("td", {}, i.label || ""), el("td", {}, i.note || "")))));
  }

  function relations(e) {
    if (!e.relations.length) return null;
    return el("ul", {}, e.relations.map((r) => el("li", {},
      el("span", { class: "badge" }, r.kind.replace(/_/g, " ")), " ",
      r.in_snapshot && r.target_id
        ? el("a", { href: `/entities/${encodeURIComponent(r.target_id)}`, "data-link": true }, r.target_name || r.target_id)
        : el("span", {}, r.target_name || r.target_id || "unnamed", r.target_id ? el("span", { class: "muted" }, " (not in this snapshot)") : null))));
  }

  async function render(main, params) {
    main.replaceChildren(el("p", { class: "hint" }, "Loading…"));
    const r = await WL.api(`/v1/entities/${encodeURIComponent(params.id)}`);
    const e = r.entity;
    const s = r.source;
    document.title = `${e.caption} · watchlist`;
    if (r.snapshot.demo) WL.banner("DEMO DATA: this is watchlist's built-in demo list, not a real sanctions list.", "warn");
    const extra = Object.entries(e.extra || {});
    main.replaceChildren(
      el("p", { class: "crumbs" }, el("a", { href: "/", onclick: (ev) => { if (history.length > 1) { ev.preventDefault(); history.back(); } } }, "← Back")),
      el("h1", {}, e.caption),
      el("p", { class: "sub" }, el("span", { class: "badge" }, e.schema), " ", el("span", { class: "badge list" }, e.list), " ", el("span", { class: "mono" }, e.id)),
      el("div", { class: "grid" },
        section("Names", names(e)),
        section("Details", dl([
          ["Gender", e.gender], ["Born", e.birth_dates], ["Place of birth", e.birth_places],
          ["Nationality", countries(e.nationalities)], ["Citizenship", countries(e.citizenships)], ["Countries", countries(e.countries)],
          ["Position", e.positions], ["Listed on", e.listed_on],
        ])),
        section("Identifiers", identifiers(e)),
        section("Programmes", items(e.programs)),
        section("Addresses", items(e.addresses.map((a) => a.line))),
        section("Related parties", relations(e)),
        e.vessel ? section("Vessel", dl([["Flag", (e.vessel.flag || "").toUpperCase()], ["Type", e.vessel.vessel_type], ["Tonnage", e.vessel.tonnage], ["Gross registered tonnage", e.vessel.gross_registered_tonnage], ["Owner", e.vessel.owner]])) : null,
        section("Remarks", items(e.remarks)),
        extra.length ? section("Other published fields", dl(extra)) : null,
        section("Source", dl([
          ["List", `${s.title} (${s.list})`], ["Publisher", s.publisher], ["Published", s.published || "not stated in the file"],
          ["Imported", s.imported_at], ["List version", s.list_version.slice(0, 12)], ["Format", s.format], ["Snapshot", r.snapshot.version.slice(0, 12)],
        ]))));
  }

  WL.page({ path: "/entities/:id", title: "Entity", render });
})();
