import { SCRIPT_CORE } from "./ScriptCore.js"
import { SCRIPT_VIEWS } from "./ScriptViews.js"

/** The end of the page script: tabs, the refresh queue and the event stream; it closes the script's scope. */
const SCRIPT_LIVE = String.raw`  // ---- tabs, refresh, live ----
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
    if (!timer) timer = setTimeout(flush, 25);
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

/**
 * The dashboard's script: plain browser JavaScript, no framework. It reads /api/*, follows /events
 * (Server-Sent Events) and re-reads what a change touched. Every value from the bridge is rendered
 * as text (textContent), never as markup.
 *
 * The whole script is one function scope across three parts (core, views, live).
 */
export const PAGE_SCRIPT = SCRIPT_CORE + SCRIPT_VIEWS + SCRIPT_LIVE
