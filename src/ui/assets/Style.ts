/** The dashboard's stylesheet: light and dark (prefers-color-scheme), laptop-first, no web fonts. */
export const PAGE_STYLE = String.raw`
:root {
  --bg: #f6f7f9; --panel: #ffffff; --fg: #1d2126; --muted: #5f6b7a; --line: #dde2e8;
  --accent: #2f6fde; --accent-bg: #e8f0fd; --ok: #1a8f4c; --off: #9aa4b0; --warn: #b35c00;
  --flash: #fff6cc; --code: #eef1f5;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-size: 14px; line-height: 1.4; color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14171b; --panel: #1c2026; --fg: #e3e7ec; --muted: #98a3b0; --line: #2d333b;
    --accent: #6ea2ff; --accent-bg: #1f2b40; --ok: #4cc482; --off: #6b7480; --warn: #f0a050;
    --flash: #3a3520; --code: #262b33;
  }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); }
h1 { font-size: 16px; margin: 0; }
h2 { font-size: 13px; margin: 0 0 8px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
button, select, input { font: inherit; color: inherit; }
button { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 3px 10px; cursor: pointer; }
button:hover { border-color: var(--accent); }
select, input[type=search] { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 3px 6px; }
a { color: var(--accent); }
.count { color: var(--muted); font-weight: normal; }
.top { display: flex; align-items: center; gap: 16px; padding: 8px 16px; background: var(--panel); border-bottom: 1px solid var(--line); position: sticky; top: 0; z-index: 2; }
.search { margin-left: auto; }
.search input { width: min(360px, 40vw); }
.notice { font-size: 12px; color: var(--warn); }
.conn { font-size: 12px; color: var(--muted); }
.conn::before { content: ""; display: inline-block; width: 8px; height: 8px; border-radius: 50%; background: var(--off); margin-right: 6px; vertical-align: middle; }
.conn[data-state=live]::before { background: var(--ok); }
.conn[data-state=reconnecting]::before { background: var(--warn); }
.layout { display: grid; grid-template-columns: minmax(240px, 300px) 1fr; gap: 16px; padding: 16px; align-items: start; }
@media (max-width: 800px) { .layout { grid-template-columns: 1fr; } }
.sidebar, .panel { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 12px; }
.sidebar { position: sticky; top: 60px; max-height: calc(100vh - 76px); overflow: auto; }
.sessions { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.session { border: 1px solid var(--line); border-radius: 6px; padding: 8px; cursor: pointer; }
.session:hover, .session.selected { border-color: var(--accent); background: var(--accent-bg); }
.session .row { display: flex; align-items: center; gap: 6px; }
.session .label { font-weight: 600; overflow-wrap: anywhere; }
.session .cwd { font-family: var(--mono); font-size: 12px; color: var(--muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.session .summary { margin-top: 4px; font-size: 13px; }
.session .seen { font-size: 12px; color: var(--muted); }
.dot { width: 8px; height: 8px; border-radius: 50%; background: var(--off); flex: none; }
.dot.online { background: var(--ok); }
.badge { font-size: 11px; border: 1px solid var(--line); border-radius: 10px; padding: 0 6px; color: var(--muted); white-space: nowrap; }
.unread { margin-left: auto; background: var(--accent); color: #fff; border-color: var(--accent); font-weight: 600; }
.unread.zero { background: transparent; color: var(--muted); border-color: var(--line); font-weight: normal; }
.tabs { display: flex; gap: 4px; margin-bottom: 8px; }
.tabs button[aria-selected=true] { background: var(--accent-bg); border-color: var(--accent); }
.panel-head { display: flex; justify-content: space-between; align-items: center; }
.filters { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 8px; color: var(--muted); font-size: 13px; }
.messages { list-style: none; margin: 0; padding: 0; }
.msg { border-bottom: 1px solid var(--line); padding: 8px 4px; }
.msg.fresh { animation: flash 2s ease-out; }
@keyframes flash { from { background: var(--flash); } to { background: transparent; } }
.msg .head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px; font-size: 13px; cursor: pointer; }
.msg .who { font-weight: 600; }
.msg .to { color: var(--muted); }
.msg .time { margin-left: auto; color: var(--muted); font-size: 12px; white-space: nowrap; }
.msg .subject { font-weight: 600; margin-top: 2px; cursor: pointer; }
.msg .body { white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0 0; font-size: 13px; }
.msg .body.clip { display: -webkit-box; -webkit-line-clamp: 3; line-clamp: 3; -webkit-box-orient: vertical; overflow: hidden; }
.msg .chips { display: flex; flex-wrap: wrap; gap: 4px; margin-top: 4px; }
.chip::before { content: "\2197\00a0"; color: var(--muted); }
.chip { font-family: var(--mono); font-size: 12px; background: var(--code); border: 1px solid var(--line); border-radius: 4px; padding: 0 6px; cursor: pointer; }
.thread-toggle { font-size: 12px; padding: 0 8px; }
.thread { list-style: none; margin: 8px 0 0 12px; padding: 0 0 0 12px; border-left: 3px solid var(--accent); }
.thread .msg:last-child { border-bottom: none; }
.kind { text-transform: lowercase; }
.kind.broadcast { color: var(--warn); border-color: var(--warn); }
.kind.channel { color: var(--accent); border-color: var(--accent); }
.remote { color: var(--warn); }
.ttl { font-family: var(--mono); font-size: 12px; }
.empty { color: var(--muted); font-style: italic; }
.channels { display: grid; grid-template-columns: 200px 1fr; gap: 12px; }
.channel-list { list-style: none; margin: 0; padding: 0; }
.channel-list li { padding: 6px 8px; border-radius: 6px; cursor: pointer; }
.channel-list li:hover, .channel-list li.selected { background: var(--accent-bg); }
.members { display: flex; flex-wrap: wrap; gap: 4px; margin-bottom: 8px; }
table.artifacts { width: 100%; border-collapse: collapse; font-size: 13px; }
.artifacts th, .artifacts td { text-align: left; padding: 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
.artifacts td.sha { font-family: var(--mono); font-size: 12px; }
.artifact-dialog { width: min(900px, 92vw); max-height: 88vh; border: 1px solid var(--line); border-radius: 8px; background: var(--panel); color: var(--fg); padding: 12px 16px; }
.artifact-dialog::backdrop { background: rgba(0, 0, 0, .45); }
.dialog-head { display: flex; justify-content: space-between; align-items: center; }
.dialog-head h2 { text-transform: none; letter-spacing: 0; font-size: 15px; color: var(--fg); }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; font-size: 13px; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; font-family: var(--mono); overflow-wrap: anywhere; }
.preview { margin-top: 8px; max-height: 60vh; overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
.preview img { display: block; max-width: 100%; height: auto; margin: auto; background: repeating-conic-gradient(#8882 0 25%, transparent 0 50%) 50% / 16px 16px; }
.preview pre { margin: 0; padding: 8px; font-family: var(--mono); font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
`
