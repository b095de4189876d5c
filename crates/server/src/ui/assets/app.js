// watchlist web UI: the shell. Routing by path, navigation, the API client and DOM helpers.
//
// Pages register themselves (see pages/*.js):
//   WL.page({path: "/lists", title: "Lists", render: async (main, params, query) => {...}})
//   WL.nav({path: "/lists", label: "Lists", order: 30, active: ["/lists"]})
// Navigation order: Search 10, Lists 30, Documents 40, Payments 50, Alerts 60.
// A path may hold one parameter, written ":name" ("/entities/:id").
// Every text from the API goes into the page through textContent (WL.el), never as HTML.
"use strict";

const WL = (() => {
  const pages = [];
  const navItems = [];
  const KEY = "watchlist.apiKey";

  /** Creates an element: WL.el("a", {href: "/x", class: "c"}, "text", child, ...). */
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k.startsWith("on") && typeof v === "function") e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children.flat()) {
      if (c === null || c === undefined || c === false) continue;
      e.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return e;
  }

  function page(p) {
    const parts = p.path.split("/").filter(Boolean);
    pages.push({ ...p, parts });
  }

  function nav(item) {
    navItems.push(item);
    navItems.sort((a, b) => (a.order || 100) - (b.order || 100));
  }

  function match(path) {
    const segs = path.split("/").filter(Boolean).map(decodeURIComponent);
    for (const p of pages) {
      if (p.parts.length !== segs.length) continue;
      const params = {};
      let ok = true;
      p.parts.forEach((part, i) => {
        if (part.startsWith(":")) params[part.slice(1)] = segs[i];
        else if (part !== segs[i]) ok = false;
      });
      if (ok) return { page: p, params };
    }
    return null;
  }

  function apiKey() {
    try { return sessionStorage.getItem(KEY) || ""; } catch (_) { return ""; }
  }

  /** Calls the JSON API; throws an Error whose message is the API's error message. */
  async function api(path, options) {
    const headers = { Accept: "application/json", ...((options && options.headers) || {}) };
    const key = apiKey();
    if (key) headers["X-API-Key"] = key;
    const resp = await fetch(path, { ...(options || {}), headers });
    let body = null;
    try { body = await resp.json(); } catch (_) { body = null; }
    if (!resp.ok) {
      const msg = body && body.error ? body.error.message : `the server answered ${resp.status}`;
      const err = new Error(msg);
      err.status = resp.status;
      err.code = body && body.error ? body.error.code : "";
      err.position = body && body.error ? body.error.position : undefined;
      throw err;
    }
    return body;
  }

  function renderNav() {
    const ul = document.getElementById("nav");
    ul.replaceChildren(...navItems.map((n) => {
      const here = (n.active || [n.path]).some((p) => (p === "/" ? location.pathname === "/" : location.pathname.startsWith(p)));
      return el("li", {}, el("a", { href: n.path, "data-link": true, "aria-current": here ? "page" : null }, n.label));
    }));
  }

  function banner(text, kind) {
    const b = document.getElementById("banner");
    b.replaceChildren();
    if (text) b.append(el("p", { class: `banner ${kind || "warn"}` }, text));
  }

  function errorBox(err) {
    const hint = err.status === 401 || err.status === 403
      ? " Enter an API key with the “API key” button at the top right."
      : "";
    const p = err.position;
    const where = p && (p.line || p.byte !== undefined)
      ? ` (${[p.line ? `line ${p.line}` : "", p.column ? `column ${p.column}` : "", !p.line && p.byte !== undefined ? `byte ${p.byte}` : ""].filter(Boolean).join(", ")})`
      : "";
    return el("p", { class: "error", role: "alert" }, `${err.message}${where}${hint}`);
  }

  async function route() {
    const main = document.getElementById("main");
    const found = match(location.pathname);
    renderNav();
    banner("");
    if (!found) {
      document.title = "Not found · watchlist";
      main.replaceChildren(el("h1", {}, "Page not found"), el("p", {}, el("a", { href: "/", "data-link": true }, "Back to search")));
      return;
    }
    document.title = `${found.page.title} · watchlist`;
    const query = new URLSearchParams(location.search);
    try {
      await found.page.render(main, found.params, query);
    } catch (err) {
      main.replaceChildren(el("h1", {}, found.page.title), errorBox(err));
    }
  }

  function go(url) {
    history.pushState(null, "", url);
    route().then(() => {
      const main = document.getElementById("main");
      window.scrollTo(0, 0);
      if (!main.contains(document.activeElement) || document.activeElement === document.body) main.focus({ preventScroll: true });
    });
  }

  async function footer() {
    const foot = document.getElementById("foot");
    try {
      const r = await api("/readyz");
      foot.replaceChildren(`Snapshot ${String(r.snapshot || "").slice(0, 12)} · ${r.entities} entities`, r.demo ? " · DEMO DATA" : "");
    } catch (err) {
      foot.replaceChildren(err.message);
    }
  }

  function setupKey() {
    const form = document.getElementById("key-form");
    const input = document.getElementById("key-input");
    input.value = apiKey();
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      try { sessionStorage.setItem(KEY, input.value.trim()); } catch (_) { /* storage off */ }
      document.getElementById("key").open = false;
      route();
    });
    document.getElementById("key-clear").addEventListener("click", () => {
      input.value = "";
      try { sessionStorage.removeItem(KEY); } catch (_) { /* storage off */ }
    });
  }

  function start() {
    document.addEventListener("click", (ev) => {
      const a = ev.target.closest("a[data-link]");
      if (!a || ev.ctrlKey || ev.metaKey || ev.shiftKey || ev.button !== 0) return;
      ev.preventDefault();
      go(a.getAttribute("href"));
    });
    window.addEventListener("popstate", route);
    document.addEventListener("keydown", (ev) => {
      const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (ev.key === "/" && !typing) {
        const q = document.querySelector("[data-search-box]");
        if (q) { ev.preventDefault(); q.focus(); q.select(); }
      }
    });
    setupKey();
    route();
    footer();
  }

  /** "3 days ago" for a number of seconds. */
  function age(seconds) {
    if (seconds === null || seconds === undefined) return "unknown";
    const units = [["year", 31536000], ["month", 2592000], ["day", 86400], ["hour", 3600], ["minute", 60]];
    for (const [name, s] of units) {
      const n = Math.floor(seconds / s);
      if (n >= 1) return `${n} ${name}${n > 1 ? "s" : ""} ago`;
    }
    return "just now";
  }

  document.addEventListener("DOMContentLoaded", start);
  return { el, page, nav, api, go, banner, errorBox, age };
})();
