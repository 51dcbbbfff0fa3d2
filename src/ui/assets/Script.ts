/**
 * The dashboard's script: plain browser JavaScript, no framework. It reads /api/*, follows /events
 * (Server-Sent Events) and re-reads what a change touched. Every value from the bridge is rendered
 * as text (textContent), never as markup.
 */
export const PAGE_SCRIPT = String.raw`"use strict";
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

  // ---- sessions ----
  function renderSessions() {
    var list = clear($("sessions"));
    var selected = $("f-session").value;
    $("session-count").textContent = String(state.sessions.length);
    if (state.sessions.length === 0) list.appendChild(el("li", { class: "empty", text: "No sessions yet." }));
    state.sessions.forEach(function (s) {
      state.labels.set(s.sessionId, s.label);
      var li = el("li", {
        class: "session" + (selected === s.sessionId ? " selected" : ""), "data-testid": "session", "data-session": s.sessionId,
        title: s.sessionId, onclick: function () { selectSession(s.sessionId); }
      }, [
        el("div", { class: "row" }, [
          el("span", { class: "dot" + (s.online ? " online" : ""), title: s.online ? "online" : "offline" }),
          el("span", { class: "label", text: s.label }),
          el("span", { class: "badge", text: s.provider }),
          el("span", { class: "badge unread" + (s.unread ? "" : " zero"), "data-testid": "unread", title: "unread", text: String(s.unread) })
        ]),
        el("div", { class: "cwd", title: s.cwd, text: s.cwd.length > 36 ? "…" + s.cwd.slice(-35) : s.cwd }),
        el("div", { class: "seen" }, [s.endedAt ? "ended " : s.online ? "online · seen " : "offline · seen ", timeEl(s.endedAt || s.lastSeen)]),
        s.summary ? el("div", { class: "summary", text: s.summary }) : null
      ]);
      list.appendChild(li);
    });
    fillSelect($("f-session"), state.sessions.map(function (s) { return [s.sessionId, s.label + (s.online ? "" : " (offline)")]; }));
  }
  function selectSession(id) {
    var f = $("f-session");
    f.value = f.value === id ? "" : id;
    showTab("timeline");
    renderSessions();
    loadMessages();
  }
  function fillSelect(select, options) {
    var keep = select.value;
    while (select.options.length > 1) select.remove(1);
    options.forEach(function (o) { select.appendChild(el("option", { value: o[0], text: o[1] })); });
    select.value = options.some(function (o) { return o[0] === keep; }) ? keep : "";
  }

  // ---- messages ----
  function partyLabel(p) { return p.label || state.labels.get(p.sessionId) || p.sessionId.slice(0, 8); }
  function messageItem(m, inThread) {
    var li = el("li", { class: "msg", "data-testid": "message", "data-id": m.id, "data-thread": m.threadId });
    var toText = m.kind === "channel" ? "#" + m.channel : m.kind === "broadcast" ? "everyone" : m.to.map(partyLabel).join(", ");
    var toggle = function () { toggleThread(li, m); };
    li.appendChild(el("div", { class: "head", onclick: toggle }, [
      el("span", { class: "badge kind " + m.kind, text: m.kind }),
      el("span", { class: "who", text: partyLabel(m.from) }),
      el("span", { class: "to", text: "→ " + toText }),
      m.origin === "remote" ? el("span", { class: "badge remote", title: "from another machine", text: "remote" + (m.remoteFrom ? " · " + m.remoteFrom : "") }) : null,
      m.expiresAt ? el("span", { class: "ttl", "data-expires": m.expiresAt, text: remaining(m.expiresAt) }) : null,
      el("span", { class: "time" }, [timeEl(m.createdAt)])
    ]));
    li.appendChild(el("div", { class: "subject", "data-testid": "subject", onclick: toggle, text: m.subject || "(no subject)" }));
    if (m.body) li.appendChild(el("div", { class: "body" + (inThread ? "" : " clip"), text: m.body }));
    var chips = el("div", { class: "chips" });
    m.artifacts.forEach(function (sha) {
      chips.appendChild(el("button", { type: "button", class: "chip", "data-testid": "artifact-chip", "data-sha": sha, title: "artifact " + sha, text: chipLabel(sha), onclick: function (e) { e.stopPropagation(); openArtifact(sha); } }));
    });
    if (!inThread && (m.threadSize > 1 || m.inReplyTo)) {
      chips.appendChild(el("button", { type: "button", class: "thread-toggle", "data-testid": "thread-toggle", text: "thread · " + m.threadSize, onclick: toggle }));
    }
    if (chips.childNodes.length) li.appendChild(chips);
    return li;
  }
  function chipLabel(sha) {
    var known = state.artifacts.find(function (a) { return a.sha256 === sha; });
    return known ? (known.name || sha.slice(0, 12)) + " · " + bytes(known.size) : sha.slice(0, 12);
  }
  function toggleThread(li, m) {
    if (li.closest(".thread")) return;
    var open = li.querySelector(":scope > .thread");
    if (open) { open.remove(); state.openThreads.delete(m.id); return; }
    state.openThreads.add(m.id);
    expandThread(li, m);
  }
  function expandThread(li, m) {
    return api("/api/threads/" + encodeURIComponent(m.threadId)).then(function (body) {
      var old = li.querySelector(":scope > .thread");
      if (old) old.remove();
      var ol = el("ol", { class: "thread", "data-testid": "thread" });
      body.messages.forEach(function (t) { ol.appendChild(messageItem(t, true)); });
      li.appendChild(ol);
    }).catch(function (e) { li.appendChild(el("p", { class: "empty", text: "thread: " + e.message })); });
  }
  function renderList(list, messages, emptyText) {
    clear(list);
    if (messages.length === 0) list.appendChild(el("li", { class: "empty", text: emptyText }));
    messages.forEach(function (m) {
      var li = messageItem(m, false);
      if (state.known && !state.known.has(m.id)) li.classList.add("fresh");
      list.appendChild(li);
      if (state.openThreads.has(m.id)) expandThread(li, m);
    });
  }
  function remember(messages) {
    if (!state.known) state.known = new Set();
    messages.forEach(function (m) { state.known.add(m.id); });
  }
  function loadMessages() {
    var params = { limit: "200" };
    if ($("f-session").value) params.session = $("f-session").value;
    if ($("f-channel").value) params.channel = $("f-channel").value;
    if ($("f-kind").value) params.kind = $("f-kind").value;
    return api("/api/messages", params).then(function (body) {
      state.messages = body.messages;
      renderList($("timeline"), body.messages, "No messages match.");
      remember(body.messages);
    });
  }

  // ---- broadcasts ----
  function loadBroadcasts() {
    return api("/api/broadcasts").then(function (body) {
      state.broadcasts = body.broadcasts;
      $("broadcast-count").textContent = String(body.broadcasts.length);
      renderList($("broadcasts"), body.broadcasts, "No live broadcasts.");
    });
  }

  // ---- channels ----
  function loadChannels() {
    return api("/api/channels").then(function (body) {
      state.channels = body.channels;
      $("channel-count").textContent = String(body.channels.length);
      fillSelect($("f-channel"), body.channels.map(function (c) { return [c.name, "#" + c.name]; }));
      var list = clear($("channels"));
      if (body.channels.length === 0) list.appendChild(el("li", { class: "empty", text: "No channels." }));
      body.channels.forEach(function (c) {
        list.appendChild(el("li", {
          class: state.channel === c.name ? "selected" : "", "data-testid": "channel", "data-channel": c.name,
          onclick: function () { state.channel = c.name; loadChannels(); }
        }, ["#" + c.name + " ", el("span", { class: "count", text: "(" + c.members.length + ")" })]));
      });
      return loadChannelDetail();
    });
  }
  function loadChannelDetail() {
    var box = $("channel-detail");
    var c = state.channels.find(function (x) { return x.name === state.channel; });
    if (!c) { clear(box).appendChild(el("p", { class: "empty", text: "Pick a channel." })); return Promise.resolve(); }
    return api("/api/messages", { channel: c.name, limit: "200" }).then(function (body) {
      clear(box);
      box.appendChild(el("h2", { text: "#" + c.name + " · " + c.messages + " messages" }));
      var members = el("div", { class: "members", "data-testid": "members" });
      if (c.members.length === 0) members.appendChild(el("span", { class: "empty", text: "no members" }));
      c.members.forEach(function (p) { members.appendChild(el("span", { class: "badge", title: p.sessionId, text: partyLabel(p) })); });
      box.appendChild(members);
      var ol = el("ol", { class: "messages" });
      box.appendChild(ol);
      renderList(ol, body.messages, "No messages in this channel.");
    });
  }

  // ---- artifacts ----
  function loadArtifacts() {
    return api("/api/artifacts").then(function (body) {
      state.artifacts = body.artifacts;
      $("artifact-count").textContent = String(body.artifacts.length);
      document.querySelectorAll("[data-testid=artifact-chip]").forEach(function (c) { c.textContent = chipLabel(c.getAttribute("data-sha")); });
      var tbody = clear($("artifacts"));
      if (body.artifacts.length === 0) tbody.appendChild(el("tr", {}, [el("td", { colspan: "7", class: "empty", text: "No artifacts." })]));
      body.artifacts.forEach(function (a) {
        tbody.appendChild(el("tr", { "data-testid": "artifact", "data-sha": a.sha256 }, [
          el("td", { text: a.name || "—" }),
          el("td", { class: "sha", title: a.sha256, text: a.sha256.slice(0, 16) + "…" }),
          el("td", { text: bytes(a.size) }),
          el("td", { text: a.mimeType }),
          el("td", { title: a.postedBy, text: a.postedByLabel || a.postedBy.slice(0, 8) }),
          el("td", {}, [timeEl(a.createdAt)]),
          el("td", {}, [
            el("button", { type: "button", "data-testid": "artifact-open", text: "Preview", onclick: function () { openArtifact(a.sha256); } }), " ",
            el("a", { href: url("/api/artifacts/" + a.sha256 + "/raw", { download: "1" }), download: a.name || a.sha256, text: "Download" })
          ])
        ]));
      });
    });
  }
  function openArtifact(sha) {
    var dialog = $("artifact-dialog");
    var preview = clear($("artifact-preview"));
    var meta = clear($("artifact-meta"));
    $("artifact-title").textContent = "Artifact " + sha.slice(0, 12);
    $("artifact-download").setAttribute("href", url("/api/artifacts/" + sha + "/raw", { download: "1" }));
    if (!dialog.open) dialog.showModal();
    api("/api/artifacts/" + sha + "/preview").then(function (body) {
      var a = body.artifact;
      $("artifact-title").textContent = a.name || ("Artifact " + sha.slice(0, 12));
      [["sha256", a.sha256], ["size", bytes(a.size) + " (" + a.size + " bytes)"], ["type", a.mimeType],
       ["posted by", (a.postedByLabel ? a.postedByLabel + " · " : "") + a.postedBy], ["posted", new Date(a.createdAt).toLocaleString()]]
        .forEach(function (p) { meta.appendChild(el("dt", { text: p[0] })); meta.appendChild(el("dd", { text: p[1] })); });
      if (body.preview === "image") preview.appendChild(el("img", { src: url("/api/artifacts/" + sha + "/raw"), alt: a.name || sha }));
      else if (body.preview === "text") preview.appendChild(el("pre", { text: body.text + (body.truncated ? "\n…" : "") }));
      else preview.appendChild(el("p", { class: "empty", text: "No preview for " + a.mimeType + "; download it instead." }));
    }).catch(function (e) { preview.appendChild(el("p", { class: "empty", text: e.message })); });
  }

  // ---- search ----
  function runSearch() {
    var q = state.query;
    if (!q) { $("tab-search").hidden = true; showTab(state.tab); return Promise.resolve(); }
    return api("/api/search", { q: q, limit: "100" }).then(function (body) {
      if (state.query !== q) return;
      $("search-title").textContent = body.messages.length + " result" + (body.messages.length === 1 ? "" : "s") + " for “" + q + "”";
      renderList($("search-results"), body.messages, "Nothing found.");
      document.querySelectorAll(".panel").forEach(function (p) { p.hidden = p.id !== "tab-search"; });
    }).catch(function (e) { $("search-title").textContent = "Search failed: " + e.message; });
  }

  // ---- tabs, refresh, live ----
  function showTab(name) {
    state.tab = name;
    document.querySelectorAll(".tabs button").forEach(function (b) { b.setAttribute("aria-selected", String(b.getAttribute("data-tab") === name)); });
    document.querySelectorAll(".panel").forEach(function (p) { p.hidden = p.id !== "tab-" + name; });
  }
  var loaders = {
    sessions: function () { return api("/api/sessions").then(function (b) { state.sessions = b.sessions; renderSessions(); }); },
    messages: function () { return Promise.all([loadMessages(), state.channel ? loadChannelDetail() : null, state.query ? runSearch() : null]); },
    broadcasts: loadBroadcasts,
    channels: loadChannels,
    artifacts: loadArtifacts
  };
  var pending = new Set(), timer = null, running = false;
  function schedule(topics) {
    topics.forEach(function (t) { if (loaders[t]) pending.add(t); });
    if (!timer) timer = setTimeout(flush, 50);
  }
  function flush() {
    timer = null;
    if (running) { timer = setTimeout(flush, 50); return; }
    var topics = Array.from(pending);
    pending.clear();
    running = true;
    Promise.all(topics.map(function (t) { return loaders[t](); })).then(function () {
      $("notice").textContent = "";
    }, function (e) {
      $("notice").textContent = "could not load: " + e.message;
    }).then(function () {
      running = false;
      document.body.setAttribute("data-loaded", "true");
    });
  }
  var ALL = ["sessions", "messages", "broadcasts", "channels", "artifacts"];
  function connect() {
    var es = new EventSource(url("/events"));
    es.addEventListener("open", function () { setConn("live"); schedule(ALL); });
    es.addEventListener("change", function (e) {
      var batch = JSON.parse(e.data);
      schedule(batch.topics || ALL);
    });
    es.addEventListener("error", function () {
      if (es.readyState === EventSource.CLOSED) {
        setConn("offline", "offline — retrying (if the server restarted with a new token, open its new URL)");
        setTimeout(connect, 2000);
      } else setConn("reconnecting");
    });
  }

  document.querySelectorAll(".tabs button").forEach(function (b) {
    b.addEventListener("click", function () { state.query = ""; $("search").value = ""; showTab(b.getAttribute("data-tab")); });
  });
  ["f-session", "f-channel", "f-kind"].forEach(function (id) {
    $(id).addEventListener("change", function () { renderSessions(); loadMessages(); });
  });
  var searchTimer = null;
  $("search").addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () { state.query = $("search").value.trim(); runSearch(); }, 250);
  });
  $("search-form").addEventListener("submit", function (e) { e.preventDefault(); state.query = $("search").value.trim(); runSearch(); });
  $("search-clear").addEventListener("click", function () { $("search").value = ""; state.query = ""; runSearch(); });
  $("artifact-close").addEventListener("click", function () { $("artifact-dialog").close(); });
  $("artifact-dialog").addEventListener("click", function (e) { if (e.target === $("artifact-dialog")) $("artifact-dialog").close(); });

  setInterval(tick, 1000);
  schedule(ALL);
  connect();
})();
`
