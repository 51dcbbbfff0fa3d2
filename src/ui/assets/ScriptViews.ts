/** The page script's views: sessions, messages and threads, broadcasts, channels, artifacts, search. See Script.ts. */
export const SCRIPT_VIEWS = String.raw`  // ---- sessions ----
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
        el("div", { class: "cwd", title: s.cwd, text: s.cwd.length > 32 ? "…" + s.cwd.slice(-31) : s.cwd }),
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
  // Threads shown from the last copy at once (no flicker on a live refresh), then re-read.
  var threadCache = new Map();
  function showThread(li, messages) {
    var old = li.querySelector(":scope > .thread");
    if (old) old.remove();
    var ol = el("ol", { class: "thread", "data-testid": "thread" });
    messages.forEach(function (t) { ol.appendChild(messageItem(t, true)); });
    li.appendChild(ol);
  }
  function expandThread(li, m) {
    if (threadCache.has(m.threadId)) showThread(li, threadCache.get(m.threadId));
    return api("/api/threads/" + encodeURIComponent(m.threadId)).then(function (body) {
      threadCache.set(m.threadId, body.messages);
      if (state.openThreads.has(m.id)) showThread(li, body.messages);
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
      if (body.messages.length >= 200) $("timeline").appendChild(el("li", { class: "empty", text: "Showing the newest 200; filter or search to see older ones." }));
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
      box.appendChild(el("h2", { text: "#" + c.name + " · " + c.messages + (c.messages === 1 ? " message" : " messages") }));
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

`
