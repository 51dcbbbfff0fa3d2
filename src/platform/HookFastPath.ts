/**
 * The hook's "nothing waiting" answer, in plain Node before the hook bundle loads (docs/adr/0036-hook-fast-path.md):
 * on a prompt of a host whose payload it reads cheaply, it finds the stamp the last full run left
 * (src/domain/HookStamp.ts) and answers the host's empty reply only when nothing the full path would read or
 * write has changed since. Any doubt (another event or host, an odd stdin, a stamp that is missing, foreign,
 * planted or stale, a directory changed or changed too close to the stamp, a pointer or record that moved, a
 * lastSeen refresh due) gives the full path, with the stdin bytes read so far. Never an error, never stdout.
 */
import { type BigIntStats, closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from "node:fs"
import { join } from "node:path"
import { mtimeTrustMs } from "../bridge/MtimeTrust.js"
import {
  FAST_PATH_HOSTS,
  type HookStamp,
  MAX_STAMP_BYTES,
  MAX_STAMPED_RECORD_BYTES,
  parseStamp,
  REFRESH_MARGIN_MS,
  stampPath
} from "../domain/HookStamp.js"
import { Layout } from "../domain/Layout.js"

/** Standard input read before the bundle loads: the full hook reads on after these bytes unless `complete`. */
export interface ReadStdin {
  readonly bytes: Buffer
  readonly complete: boolean
}

export type FastPath =
  | { readonly answer: string }
  | { readonly answer?: undefined; readonly stdin?: ReadStdin | undefined; readonly why: string }

/** Payloads are a few hundred bytes plus the prompt; the full hook refuses more than this (src/hook/run.ts). */
const MAX_STDIN_BYTES = 8 * 1024 * 1024

/** Environment that changes how the full path resolves the session: then it runs. */
const RESOLVING_ENV = ["SESSION_BRIDGE_SESSION_ID", "SESSION_BRIDGE_LABEL"]

const promptOf = (args: ReadonlyArray<string>) => {
  let event: string | undefined
  let provider: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--provider" || arg === "-p") provider = args[++i]
    else if (arg.startsWith("--provider=")) provider = arg.slice("--provider=".length)
    else if (!arg.startsWith("-") && event === undefined) event = arg
  }
  if (provider === undefined || !Object.hasOwn(FAST_PATH_HOSTS, provider)) return undefined
  const host = FAST_PATH_HOSTS[provider]!
  return event === host.prompt ? { provider, empty: host.empty } : undefined
}

/** Reads `fd` until end of file, or until it would block (a pipe not yet closed), or past the limit. */
const readAvailable = (fd: number): ReadStdin => {
  const chunks: Array<Buffer> = []
  let size = 0
  for (;;) {
    const buffer = Buffer.allocUnsafe(64 * 1024)
    let n: number
    try {
      n = readSync(fd, buffer, 0, buffer.length, null)
    } catch {
      // EAGAIN: the host has not finished writing (or holds stdin open); the full hook reads on.
      return { bytes: Buffer.concat(chunks, size), complete: false }
    }
    if (n === 0) return { bytes: Buffer.concat(chunks, size), complete: true }
    chunks.push(buffer.subarray(0, n))
    size += n
    if (size > MAX_STDIN_BYTES) return { bytes: Buffer.concat(chunks, size), complete: false }
  }
}

/**
 * Standard input, only where reading it can never block (ADR-0016, ADR-0022): a regular file, or a pipe reopened
 * non-blocking. A terminal, a socket or anything else is left to the full hook, unread.
 */
const readStdin = (): ReadStdin | undefined => {
  const st = fstatSync(0)
  if (st.isFile()) return readAvailable(0)
  if (!st.isFIFO()) return undefined
  const fd = openSync("/proc/self/fd/0", constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    return readAvailable(fd)
  } finally {
    closeSync(fd)
  }
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

/** Why the stamp does not prove that nothing waits, or undefined when it does. */
const doubt = (home: string, stamp: HookStamp, now: number): string | undefined => {
  if (!(stamp.takenAt <= now)) return "stamp from the future"
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
  const pointer = readObject(join(home, stamp.pointer), MAX_STAMPED_RECORD_BYTES)
  if (pointer?.["sessionId"] !== stamp.sessionId) return "the pointer names another session"
  const record = readObject(join(home, Layout.session(stamp.sessionId)), MAX_STAMPED_RECORD_BYTES)
  if (record === undefined || record["sessionId"] !== stamp.sessionId) return "no session record"
  if (record["endedAt"] !== undefined) return "the session ended"
  if (record["provider"] !== stamp.provider || record["hostSessionId"] !== stamp.hostSessionId) return "record moved"
  if (record["cwd"] !== stamp.recordCwd) return "record moved"
  const lastSeen = typeof record["lastSeen"] === "string" ? Date.parse(record["lastSeen"]) : Number.NaN
  if (!(now - lastSeen < stamp.refreshMs - REFRESH_MARGIN_MS)) return "lastSeen refresh due"
  return undefined
}

/**
 * The empty reply when nothing waits for this prompt's session, else why not and the stdin read so far. `home` is
 * the bridge home (undefined: none usable), `bundle` the id of the hook bundle that would run.
 */
export const hookFastPath = (args: ReadonlyArray<string>, home: string | undefined, bundle: string): FastPath => {
  const prompt = promptOf(args)
  if (prompt === undefined) return { why: "not a prompt of a host the fast path reads" }
  if (home === undefined) return { why: "no usable home" }
  if (RESOLVING_ENV.some((name) => process.env[name] !== undefined)) return { why: "session set by the environment" }
  let stdin: ReadStdin | undefined
  try {
    stdin = readStdin()
    if (stdin === undefined) return { why: "stdin is not a file or a pipe" }
    if (!stdin.complete) return { stdin, why: "stdin not complete yet" }
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
    return why === undefined ? { answer: prompt.empty } : { stdin, why }
  } catch (error) {
    return { stdin, why: `fast path failed: ${error instanceof Error ? error.message : String(error)}` }
  }
}
