/**
 * The on-disk layout under $SESSION_BRIDGE_HOME (layout version LAYOUT_VERSION). Every path the
 * product reads or writes is built here, so the layout is visible in one place.
 */
export const LAYOUT_VERSION = 1

export const Layout = {
  sessionsDir: "sessions",
  session: (sessionId: string) => `sessions/${sessionId}.json`,
  /** Identity pointers written by a session's hook, keyed by host session id, host pid or cwd hash. */
  pointersDir: "pointers",
  pointer: (key: string) => `pointers/${key}.json`,
  /** One inbox directory per session below it. */
  inboxesDir: "inbox",
  inboxDir: (sessionId: string) => `inbox/${sessionId}`,
  inboxMessage: (sessionId: string, messageId: string) => `inbox/${sessionId}/${messageId}.json`,
  /** One state directory per session below it. */
  statesDir: "state",
  stateDir: (sessionId: string) => `state/${sessionId}`,
  /** Senders' own copies of messages to contacts, one directory per session below it. */
  remoteSentsDir: "remote-sent",
  /** The sender's own copy of a message to a contact (the cloud layer carries it from cloud/outbox/). */
  remoteSentDir: (sessionId: string) => `remote-sent/${sessionId}`,
  remoteSent: (sessionId: string, messageId: string) => `remote-sent/${sessionId}/${messageId}.json`,
  /** Per-session read / surfaced markers: empty files named after the message id. */
  readDir: (sessionId: string) => `state/${sessionId}/read`,
  readMarker: (sessionId: string, messageId: string) => `state/${sessionId}/read/${messageId}`,
  surfacedDir: (sessionId: string) => `state/${sessionId}/surfaced`,
  surfacedMarker: (sessionId: string, messageId: string) => `state/${sessionId}/surfaced/${messageId}`,
  broadcastsDir: "broadcasts",
  broadcast: (messageId: string) => `broadcasts/${messageId}.json`,
  channelsDir: "channels",
  channelMembers: (channel: string) => `channels/${channel}/members.json`,
  channelHistoryDir: (channel: string) => `channels/${channel}/history`,
  channelMessage: (channel: string, messageId: string) => `channels/${channel}/history/${messageId}.json`,
  artifactsDir: "artifacts",
  artifactBytes: (sha: string) => `artifacts/${sha}.bin`,
  artifactMeta: (sha: string) => `artifacts/${sha}.meta.json`,
  /** Thread index: one empty marker per message in the thread. */
  threadDir: (threadId: string) => `threads/${threadId}`,
  threadMarker: (threadId: string, messageId: string) => `threads/${threadId}/${messageId}`,
  /** One small file per message id, claimed exclusively at send: where its canonical copy lives, and its thread. */
  messageRefsDir: "refs",
  messageRef: (messageId: string) => `refs/${messageId}.json`,
  locksDir: "locks",
  /**
   * The code caches of the hook and of the MCP server's tool calls (`hook-….v8`, `mcp-tools-….v8`,
   * src/platform/CodeCache.ts; a failed write of an older version may leave `hook-….v8.<pid>.tmp`), the stamps of
   * the hook's fast path (`hook-stamps/`, src/domain/HookStamp.ts) and the search indexes (`search/`).
   */
  cacheDir: "cache",
  quarantineDir: "quarantine",
  eventLog: "events.log",
  /** The dashboard server's record: its port and token, kept so a restart serves the same address. */
  uiServerRecord: "ui/server.json",
  layoutFile: "layout.json"
} as const

/**
 * Messages queued for contacts, not yet carried by the daemon (their schema is the cloud layer's); `gc` keeps the
 * artifacts they name. A constant of its own rather than a field of `Layout`, so the hook's bundle (which carries
 * `Layout` whole) names nothing of the cloud layer.
 */
export const CLOUD_OUTBOX_DIR = "cloud/outbox"
