/** The start of the page script: state, the token-carrying fetch, DOM and time helpers. See Script.ts. */
export const SCRIPT_CORE = String.raw`"use strict";
(function () {
  var token = new URLSearchParams(location.search).get("token") || "";
  var $ = function (id) { return document.getElementById(id); };
  var state = {
    sessions: [], messages: [], broadcasts: [], channels: [], artifacts: [],
    tab: "timeline", channel: "", query: "", known: null, openThreads: new Set(), labels: new Map()
  };

  function url(path, params) {
    var q = new URLSearchParams(params || {});
    q.set("token", token);
    return path + "?" + q.toString();
  }
  function api(path, params) {
    return fetch(url(path, params), { cache: "no-store" }).then(function (r) {
      return r.json().then(function (body) {
        if (!r.ok) throw new Error((body && body.message) || ("HTTP " + r.status));
        return body;
      });
    });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      var v = attrs[k];
      if (v === undefined || v === null || v === false) return;
      if (k === "text") node.textContent = String(v);
      else if (k === "class") node.className = v;
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? "" : String(v));
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function ago(iso) {
    var d = (Date.now() - Date.parse(iso)) / 1000, a = Math.abs(d), s;
    if (a < 5) return "just now";
    s = a < 60 ? Math.floor(a) + "s" : a < 3600 ? Math.floor(a / 60) + "m" : a < 86400 ? Math.floor(a / 3600) + "h" : Math.floor(a / 86400) + "d";
    return d >= 0 ? s + " ago" : "in " + s;
  }
  function remaining(iso) {
    var s = Math.max(0, Math.round((Date.parse(iso) - Date.now()) / 1000));
    if (s === 0) return "expired";
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    return (h ? h + "h " : "") + (h || m ? m + "m " : "") + r + "s left";
  }
  function bytes(n) {
    if (n < 1024) return n + " B";
    var u = ["KiB", "MiB", "GiB"], v = n / 1024, i = 0;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return v.toFixed(1) + " " + u[i];
  }
  function timeEl(iso) { return el("time", { datetime: iso, "data-ago": iso, title: new Date(iso).toLocaleString(), text: ago(iso) }); }
  function tick() {
    document.querySelectorAll("[data-ago]").forEach(function (n) { n.textContent = ago(n.getAttribute("data-ago")); });
    var expired = false;
    document.querySelectorAll("[data-expires]").forEach(function (n) {
      var text = remaining(n.getAttribute("data-expires"));
      if (text === "expired" && n.textContent !== "expired") expired = true;
      n.textContent = text;
    });
    if (expired) schedule(["broadcasts", "sessions"]);
  }

  function setConn(s, text) {
    var c = $("conn");
    c.setAttribute("data-state", s);
    c.textContent = text || (s === "live" ? "live" : s === "reconnecting" ? "reconnecting…" : s);
  }

`
