/**
 * The hook's "nothing waiting" answer, in plain Node before the hook bundle loads (docs/adr/0036-hook-fast-path.md):
 * on a prompt of a host whose payload it reads cheaply, it finds the stamp the last full run left
 * (src/domain/HookStamp.ts) and answers the host's empty reply when nothing the full path would read or write
 * has changed since. When only the session's watched folders changed (or changed too close to the stamp), it does
 * the full hook's surfacing of local messages itself (src/platform/HookInbox.ts, docs/adr/0047-hook-fast-path-shows-local-messages.md).
 * Any doubt (another event or host, an odd stdin, a stamp that is missing, foreign, planted or stale, a pointer or
 * record that moved, a lastSeen refresh due, anything the inbox work declines) gives the full path, with the stdin
 * it read. Never an error, never stdout but the reply.
 * Standard input is read as the full hook reads it (ADR-0016, ADR-0022: a file, a pipe reopened non-blocking, a
 * socket through the pipe handle), never blocking, and never past the hook's budget: a host that holds stdin open
 * gets the empty reply at the budget, as the full hook gives it.
 */
import { type BigIntStats, closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from "node:fs"
import { join } from "node:path"
import { mtimeTrustMs } from "../bridge/MtimeTrust.js"
import { parseArgs } from "../domain/HookArgs.js"
import {
  FAST_PATH_HOSTS,
  type FastPathHost,
  hookBudgetMs,
  type HookStamp,
  MAX_STAMP_BYTES,
  MAX_STAMPED_RECORD_BYTES,
  parseStamp,
  REFRESH_MARGIN_MS,
  stampPath
} from "../domain/HookStamp.js"
import { Layout } from "../domain/Layout.js"
import { surfaceInbox } from "./HookInbox.js"
import { readSocketHandle } from "./NodeStdinHandle.js"

/** Standard input read before the bundle loads: the full hook reads on after these bytes unless `complete`. */
export interface ReadStdin {
  readonly bytes: Buffer
  readonly complete: boolean
}

/** What the fast path decided: the reply to print, or the full hook (with the stdin it read) and why. */
export type FastPath =
  | { readonly answer: string; readonly note: string }
  | { readonly answer?: undefined; readonly stdin?: ReadStdin | undefined; readonly why: string }

/** Payloads are a few hundred bytes plus the prompt; the full hook refuses more than this (src/hook/run.ts). */
const MAX_STDIN_BYTES = 8 * 1024 * 1024

interface Prompt extends FastPathHost {
  readonly provider: string
}

const promptOf = (args: ReadonlyArray<string>): Prompt | undefined => {
  const { event, provider } = parseArgs(args)
  if (provider === undefined || !Object.hasOwn(FAST_PATH_HOSTS, provider)) return undefined
  const host = FAST_PATH_HOSTS[provider]!
  return event === host.prompt ? { provider, ...host } : undefined
}

/**
 * Reads `fd` until end of file, or until it would block (a pipe not yet closed: `waiting`), or past the limit, or
 * until a read fails (then the full hook reads on, and meets the same failure).
 */
const readAvailable = (fd: number): ReadStdin & { readonly waiting: boolean } => {
  const chunks: Array<Buffer> = []
  let size = 0
  for (;;) {
    const buffer = Buffer.allocUnsafe(64 * 1024)
    let n: number
    try {
      n = readSync(fd, buffer, 0, buffer.length, null)
    } catch (error) {
      const waiting = (error as NodeJS.ErrnoException).code === "EAGAIN"
      return { bytes: Buffer.concat(chunks, size), complete: false, waiting }
    }
    if (n === 0) return { bytes: Buffer.concat(chunks, size), complete: true, waiting: false }
    chunks.push(buffer.subarray(0, n))
    size += n
    if (size > MAX_STDIN_BYTES) return { bytes: Buffer.concat(chunks, size), complete: false, waiting: false }
  }
}

/** How often a non-blocking pipe with nothing in it yet is tried again (as src/platform/NodeStdioFd.ts does). */
const RETRY_MS = 2

/**
 * All of standard input, read without ever blocking, then `done` (with undefined when it was left unread: a
 * terminal, no stdin, a socket the pipe handle cannot open); `late` instead when the budget's end comes first.
 */
const readStdin = (deadlineMs: number, done: (stdin: ReadStdin | undefined) => void, late: () => void): void => {
  const st = fstatSync(0)
  if (st.isFile()) {
    const read = readAvailable(0)
    return done({ bytes: read.bytes, complete: read.complete })
  }
  let timer: NodeJS.Timeout | undefined
  const overdue = () => deadlineMs - process.uptime() * 1000 <= 0
  if (st.isFIFO()) {
    const fd = openSync("/proc/self/fd/0", constants.O_RDONLY | constants.O_NONBLOCK)
    const chunks: Array<Buffer> = []
    const poll = () => {
      const read = readAvailable(fd)
      chunks.push(read.bytes)
      const size = chunks.reduce((n, c) => n + c.length, 0)
      if (!read.waiting || size > MAX_STDIN_BYTES) {
        closeSync(fd)
        return done({ bytes: Buffer.concat(chunks, size), complete: read.complete })
      }
      if (overdue()) {
        closeSync(fd)
        return late()
      }
      timer = setTimeout(poll, RETRY_MS)
    }
    return poll()
  }
  if (!st.isSocket()) return done(undefined)
  const stop = readSocketHandle(MAX_STDIN_BYTES, (result) => {
    clearTimeout(timer)
    // A read error or an oversized payload fails the full hook's read too, which then gives the empty reply.
    if ("text" in result) done({ bytes: Buffer.from(result.text, "utf8"), complete: true })
    else late()
  })
  if (stop === undefined) return done(undefined)
  timer = setTimeout(
    () => {
      stop()
      late()
    },
    Math.max(0, deadlineMs - process.uptime() * 1000)
  )
}

/** A small regular file's text, never through a link, never blocking on a FIFO; undefined for anything else. */
const readSmall = (file: string, maxBytes: number): string | undefined => {
  let fd: number | undefined
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    const st = fstatSync(fd)
    if (!st.isFile() || st.size > maxBytes) return undefined
    const buffer = Buffer.alloc(st.size)
    const n = readSync(fd, buffer, 0, st.size, 0)
    return buffer.toString("utf8", 0, n)
  } catch {
    return undefined
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

const readObject = (file: string, maxBytes: number): Record<string, unknown> | undefined => {
  const text = readSmall(file, maxBytes)
  if (text === undefined) return undefined
  try {
    const u: unknown = JSON.parse(text)
    return typeof u === "object" && u !== null && !Array.isArray(u) ? (u as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

/** Which watched folder changed since the stamp (or too close to it), or undefined when none did. */
const changed = (home: string, stamp: HookStamp): string | undefined => {
  for (const dir of stamp.dirs) {
    const st: Stats | BigIntStats | undefined = lstatSync(join(home, dir.path), { throwIfNoEntry: false })
    if (dir.mtimeMs === null) {
      if (st !== undefined) return `${dir.path} appeared`
      continue
    }
    if (st === undefined || !st.isDirectory()) return `${dir.path} is not the directory stamped`
    if (st.mtimeMs !== dir.mtimeMs) return `${dir.path} changed`
    if (!(stamp.takenAt - dir.mtimeMs > mtimeTrustMs(dir.mtimeMs))) return `${dir.path} changed just before the stamp`
  }
  return undefined
}

/** Why the full hook's `register` would write (or resolve another session), or undefined when it would not. */
const doubt = (home: string, stamp: HookStamp, now: number): string | undefined => {
  if (!(stamp.takenAt <= now)) return "stamp from the future"
  const pointer = readObject(join(home, stamp.pointer), MAX_STAMPED_RECORD_BYTES)
  if (pointer?.["sessionId"] !== stamp.sessionId) return "the pointer names another session"
  const record = readObject(join(home, Layout.session(stamp.sessionId)), MAX_STAMPED_RECORD_BYTES)
  if (record === undefined || record["sessionId"] !== stamp.sessionId) return "no session record"
  if (record["endedAt"] !== undefined) return "the session ended"
  if (record["provider"] !== stamp.provider || record["hostSessionId"] !== stamp.hostSessionId) return "record moved"
  if (record["cwd"] !== stamp.recordCwd) return "record moved"
  // `init --label` puts SESSION_BRIDGE_LABEL in the hook's command: the full path rewrites a record it differs from.
  const label = process.env["SESSION_BRIDGE_LABEL"]
  if (label !== undefined && record["label"] !== label) return "the label changes"
  const lastSeen = typeof record["lastSeen"] === "string" ? Date.parse(record["lastSeen"]) : Number.NaN
  if (!(now - lastSeen < stamp.refreshMs - REFRESH_MARGIN_MS)) return "lastSeen refresh due"
  return undefined
}

/** The decision for a prompt whose whole stdin is `stdin`. */
const decide = (prompt: Prompt, home: string, bundle: string, stdin: ReadStdin, deadline: number): FastPath => {
  try {
    const payload: unknown = JSON.parse(stdin.bytes.toString("utf8"))
    if (typeof payload !== "object" || payload === null) return { stdin, why: "payload is not an object" }
    const { session_id: sid, cwd } = payload as Record<string, unknown>
    if (typeof sid !== "string" || sid.trim() === "") return { stdin, why: "no session id in the payload" }
    if (typeof cwd !== "string" || !cwd.startsWith("/")) return { stdin, why: "no absolute cwd in the payload" }
    const stamp = parseStamp(readSmall(join(home, stampPath(prompt.provider, sid)), MAX_STAMP_BYTES) ?? "")
    if (stamp === undefined) return { stdin, why: "no stamp" }
    if (stamp.bundle !== bundle) return { stdin, why: "stamp of another bundle" }
    if (stamp.provider !== prompt.provider || stamp.hostSessionId !== sid || stamp.cwd !== cwd)
      return { stdin, why: "stamp of another session" }
    const why = doubt(home, stamp, Date.now())
    if (why !== undefined) return { stdin, why }
    const change = changed(home, stamp)
    if (change === undefined) return { answer: prompt.empty, note: "nothing waiting" }
    // Something changed: what the full hook would show of local messages is worked out here, or it runs.
    const inbox = surfaceInbox(home, stamp, deadline)
    if ("why" in inbox) return { stdin, why: `${change}; ${inbox.why}` }
    if (inbox.text === "")
      return { answer: prompt.empty, note: `nothing waiting (${change}${inbox.stamped ? "; stamped" : ""})` }
    return { answer: prompt.context(inbox.text), note: `inbox block shown (${change})` }
  } catch (error) {
    return { stdin, why: `fast path failed: ${error instanceof Error ? error.message : String(error)}` }
  }
}

/**
 * Calls `then` with the empty reply when nothing waits for this prompt's session, else with why not and the stdin
 * read (the full hook reads on after it when it is not complete). `home` is the bridge home (undefined: none
 * usable), `bundle` the id of the hook bundle that would run.
 */
export const hookFastPath = (
  args: ReadonlyArray<string>,
  home: string | undefined,
  bundle: string,
  then: (result: FastPath) => void
): void => {
  const prompt = promptOf(args)
  if (prompt === undefined) return then({ why: "not a prompt of a host the fast path reads" })
  if (home === undefined) return then({ why: "no usable home" })
  // A session named by the environment resolves without the pointer the stamp names.
  if (process.env["SESSION_BRIDGE_SESSION_ID"] !== undefined) return then({ why: "session set by the environment" })
  const deadline = hookBudgetMs(process.env["SESSION_BRIDGE_HOOK_BUDGET_MS"])
  // `then` runs once: what it throws (the full hook starting) is not a failure of the fast path.
  let decided = false
  const once = (result: FastPath) => {
    if (decided) return
    decided = true
    then(result)
  }
  try {
    readStdin(
      deadline,
      (stdin) => {
        if (stdin === undefined) return once({ why: "stdin left to the full hook" })
        if (!stdin.complete) return once({ stdin, why: "stdin not read to its end" })
        once(decide(prompt, home, bundle, stdin, deadline))
      },
      () => once({ answer: prompt.empty, note: "stdin held open past the budget" })
    )
  } catch (error) {
    if (decided) throw error
    // Nothing was read: fstat, or reopening the pipe, failed before any byte.
    once({ why: `stdin not read: ${error instanceof Error ? error.message : String(error)}` })
  }
}
