// Lists page: what is loaded, from whom, how old, how many entities, which files.
"use strict";

(() => {
  const { el } = WL;

  async function render(main) {
    main.replaceChildren(el("p", { class: "hint" }, "Loading…"));
    const r = await WL.api("/v1/lists");
    const s = r.snapshot;
    if (r.warning) WL.banner(r.warning, "warn");
    const old = (secs) => secs !== null && secs > 7 * 86400;
    main.replaceChildren(
      el("h1", {}, "Loaded lists"),
      el("p", { class: "sub" },
        `Snapshot ${s.version.slice(0, 12)} (#${s.seq}), made ${WL.age(s.age_seconds)} (${s.created}), ${s.entity_count} entities in ${r.lists.length} list${r.lists.length === 1 ? "" : "s"}.`),
      el("table", { class: "lists" },
        el("thead", {}, el("tr", {}, ["List", "Publisher", "Entities", "Published", "Imported", "Version", "Files"].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, r.lists.map((l) => el("tr", { class: old(l.age_seconds) ? "stale" : "" },
          el("th", { scope: "row" }, el("span", { class: "mono" }, l.key), el("br"), el("span", { class: "muted" }, l.title)),
          el("td", {}, l.publisher),
          el("td", { class: "num" }, String(l.entity_count), el("br"), el("span", { class: "muted" }, Object.entries(l.counts).map(([k, v]) => `${v} ${k}`).join(", "))),
          el("td", {}, l.published || "not stated"),
          el("td", {}, WL.age(l.age_seconds), old(l.age_seconds) ? el("span", { class: "verdict miss" }, " older than a week") : null, el("br"), el("span", { class: "muted" }, l.imported_at)),
          el("td", { class: "mono" }, l.version.slice(0, 12)),
          el("td", {}, el("ul", { class: "files" }, l.source_files.map((f) => el("li", {}, f.name, el("span", { class: "muted mono" }, ` sha256 ${f.sha256.slice(0, 12)}…`))))))))));
  }

  WL.page({ path: "/lists", title: "Lists", render });
  WL.nav({ path: "/lists", label: "Lists", order: 30 });
})();
