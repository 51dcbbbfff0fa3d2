/** The dashboard's HTML shell. Data arrives from /api/* and /events; the token rides on every URL. */
export const pageHtml = (token: string): string => {
  const t = encodeURIComponent(token)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="no-referrer">
<title>session-bridge</title>
<link rel="stylesheet" href="/app.css?token=${t}">
<link rel="icon" href="data:,">
</head>
<body>
<header class="top">
  <h1>session-bridge</h1>
  <span id="conn" class="conn" data-state="connecting" data-testid="connection" title="live updates">connecting…</span>
  <span id="notice" class="notice" role="status" data-testid="notice"></span>
  <form id="search-form" class="search" role="search">
    <input id="search" type="search" placeholder="Search messages" aria-label="Search messages" autocomplete="off" data-testid="search">
  </form>
</header>
<div class="layout">
  <aside class="sidebar">
    <h2>Sessions <span id="session-count" class="count"></span></h2>
    <ul id="sessions" class="sessions" data-testid="sessions"></ul>
  </aside>
  <main>
    <nav class="tabs" role="tablist">
      <button role="tab" data-tab="timeline" aria-selected="true">Timeline</button>
      <button role="tab" data-tab="broadcasts" aria-selected="false">Broadcasts <span id="broadcast-count" class="count"></span></button>
      <button role="tab" data-tab="channels" aria-selected="false">Channels <span id="channel-count" class="count"></span></button>
      <button role="tab" data-tab="artifacts" aria-selected="false">Artifacts <span id="artifact-count" class="count"></span></button>
    </nav>
    <section id="tab-search" class="panel" hidden>
      <div class="panel-head"><h2 id="search-title">Search</h2><button id="search-clear" type="button">Clear</button></div>
      <ol id="search-results" class="messages" data-testid="search-results"></ol>
    </section>
    <section id="tab-timeline" class="panel">
      <div class="filters">
        <label>Session <select id="f-session" data-testid="filter-session"><option value="">all</option></select></label>
        <label>Channel <select id="f-channel" data-testid="filter-channel"><option value="">all</option></select></label>
        <label>Kind <select id="f-kind" data-testid="filter-kind">
          <option value="">all</option><option value="direct">direct</option><option value="channel">channel</option><option value="broadcast">broadcast</option>
        </select></label>
      </div>
      <ol id="timeline" class="messages" data-testid="timeline"></ol>
    </section>
    <section id="tab-broadcasts" class="panel" hidden>
      <ol id="broadcasts" class="messages" data-testid="broadcasts"></ol>
    </section>
    <section id="tab-channels" class="panel" hidden>
      <div class="channels">
        <ul id="channels" class="channel-list" data-testid="channels"></ul>
        <div id="channel-detail" class="channel-detail" data-testid="channel-detail"><p class="empty">Pick a channel.</p></div>
      </div>
    </section>
    <section id="tab-artifacts" class="panel" hidden>
      <table class="artifacts">
        <thead><tr><th>Name</th><th>sha256</th><th>Size</th><th>Type</th><th>Posted by</th><th>When</th><th></th></tr></thead>
        <tbody id="artifacts" data-testid="artifacts"></tbody>
      </table>
    </section>
  </main>
</div>
<dialog id="artifact-dialog" class="artifact-dialog" data-testid="artifact-dialog">
  <div class="dialog-head"><h2 id="artifact-title">Artifact</h2><button id="artifact-close" type="button" aria-label="Close">✕</button></div>
  <dl id="artifact-meta" class="meta"></dl>
  <div id="artifact-preview" class="preview" data-testid="artifact-preview"></div>
  <p><a id="artifact-download" data-testid="artifact-download" href="#" download>Download</a></p>
</dialog>
<script src="/app.js?token=${t}" defer></script>
</body>
</html>
`
}
