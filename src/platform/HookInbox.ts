/**
 * The prompt hook's inbox work in plain Node, before the hook bundle loads (docs/adr/0047-hook-fast-path-shows-local-messages.md):
 * once the fast path (src/platform/HookFastPath.ts) has a stamp that still names the session but whose folders
 * changed, this does what the full hook's `Surfacing.unsurfaced` and `planSurface` do (src/hook/HookActions.ts):
 * lists the inbox, the broadcasts and the read and surfaced markers, reads the oldest MAX_ENTRIES waiting
 * envelopes, renders the block with the same code (src/domain/InboxBlock.ts), creates the surfaced markers
 * exclusively, and shows only what it marked first; with nothing waiting it stamps again as the full hook does.
 * Anything the full hook would handle differently is declined, never guessed: a remote message (its receipts), an
 * envelope that does not check (the full hook quarantines it), a link, FIFO or oversized file, a folder or file the
 * store would re-mode, a home that is not the user's, too many broadcasts, any error.
 */
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync
} from "node:fs"
import { dirname, join } from "node:path"
import { mayBeLiveBroadcast } from "../domain/BroadcastAge.js"
import { checkEnvelope, type CheckedEnvelope } from "../domain/EnvelopeShape.js"
import { encodeStamp, type HookStamp, MARK_RESERVE_MS, stampPath, type StampedDir } from "../domain/HookStamp.js"
import { MAX_ENTRIES, renderInboxBlock } from "../domain/InboxBlock.js"
import { Layout } from "../domain/Layout.js"
import { folderPrefix } from "./PathPrefix.js"

/** The block to show ("" for nothing), or why the full hook must run instead. */
export type InboxOutcome = { readonly text: string; readonly stamped: boolean } | { readonly why: string }

/** The store's modes, temp prefix and record cap (src/services/store/Store.ts), which this file may not import. */
const DIR_MODE = 0o700
const FILE_MODE = 0o600
const TEMP_PREFIX = ".tmp-"
const MAX_ENVELOPE_BYTES = 1024 * 1024
/**
 * More broadcasts recent enough to be live than this are read by the full hook: the fast path reads every one on each
 * prompt.
 */
export const MAX_FAST_BROADCASTS = 64

class Decline extends Error {}
const decline = (why: string): never => {
  throw new Decline(why)
}

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK } = constants
const uid = process.getuid?.()
const mine = (st: { readonly uid: number }) => uid === undefined || st.uid === uid

/** The file or folder `rel` (a store path) of `home` (a `folderPrefix`), joined by hand (PathPrefix.ts). */
const under = (home: string, rel: string) => `${home}/${rel}`

/** A folder the store reads as it is (a directory of ours, 0700), or absent; anything else is declined. */
const folder = (home: string, dir: string): { readonly mtimeMs: number } | undefined => {
  const st = lstatSync(under(home, dir), { throwIfNoEntry: false })
  if (st === undefined) return undefined
  if (!st.isDirectory()) return decline(`${dir} is not a directory`)
  if ((st.mode & 0o777) !== DIR_MODE || !mine(st)) return decline(`${dir} is not a 0700 folder of this user`)
  return st
}

/** A folder's entry names as the store lists them: temp files left out, sorted. */
const names = (home: string, dir: string): ReadonlyArray<string> =>
  folder(home, dir) === undefined
    ? []
    : readdirSync(under(home, dir))
        .filter((n) => !n.startsWith(TEMP_PREFIX))
        .sort()

/** A stored envelope read as the store reads it, then checked; anything unusual is declined. */
const envelope = (home: string, path: string): CheckedEnvelope => {
  let fd: number | undefined
  try {
    fd = openSync(under(home, path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK)
    const st = fstatSync(fd)
    if (!st.isFile() || st.size > MAX_ENVELOPE_BYTES) return decline(`${path} is not a small regular file`)
    if ((st.mode & 0o777) !== FILE_MODE || !mine(st)) return decline(`${path} is not a 0600 file of this user`)
    const buffer = Buffer.alloc(st.size)
    const n = readSync(fd, buffer, 0, st.size, 0)
    const checked = checkEnvelope(JSON.parse(buffer.toString("utf8", 0, n)))
    return checked ?? decline(`${path} is not an envelope the fast path reads`)
  } catch (error) {
    if (error instanceof Decline) throw error
    return decline(`${path} not read: ${error instanceof Error ? error.message : String(error)}`)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** Creates the store folders on a path (0700 whatever the umask), as the store's first write there does. */
const ensureFolders = (home: string, dirs: ReadonlyArray<string>): void => {
  for (const dir of dirs) {
    try {
      mkdirSync(under(home, dir), { mode: DIR_MODE })
      // The umask may have taken bits off the mode: the store sets it exactly.
      chmodSync(under(home, dir), DIR_MODE)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error
    }
    if (folder(home, dir) === undefined) decline(`${dir} vanished`)
  }
}

/** Surfaced markers, created exclusively as the store's createEmpty does: the ids this process marked first. */
const markSurfaced = (home: string, sessionId: string, ids: ReadonlyArray<string>): ReadonlyArray<string> => {
  const state = Layout.stateDir(sessionId)
  ensureFolders(home, [Layout.statesDir, state, Layout.surfacedDir(sessionId)])
  const won: Array<string> = []
  for (const id of new Set(ids)) {
    let fd: number
    try {
      fd = openSync(
        under(home, Layout.surfacedMarker(sessionId, id)),
        O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW,
        FILE_MODE
      )
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "EEXIST") continue
      throw error
    }
    try {
      fchmodSync(fd, FILE_MODE)
    } finally {
      closeSync(fd)
    }
    won.push(id)
  }
  return won
}

/** Writes the stamp as src/hook/Stamp.ts does through the store: a fsynced 0600 temp file renamed into place. */
const writeStamp = (home: string, stamp: HookStamp): boolean => {
  const file = under(home, stampPath(stamp.provider, stamp.hostSessionId))
  const tmp = join(dirname(file), `${TEMP_PREFIX}${process.pid}-${Math.random().toString(36).slice(2, 10)}`)
  try {
    if (
      folder(home, Layout.cacheDir) === undefined ||
      folder(home, dirname(stampPath(stamp.provider, stamp.hostSessionId))) === undefined
    )
      return false
    const fd = openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, FILE_MODE)
    try {
      fchmodSync(fd, FILE_MODE)
      writeSync(fd, encodeStamp(stamp))
      fsyncSync(fd)
    } finally {
      closeSync(fd)
    }
    renameSync(tmp, file)
    return true
  } catch {
    try {
      unlinkSync(tmp)
    } catch {
      // Never created, or already renamed.
    }
    // A stamp that cannot be written only costs the next prompt its fast path.
    return false
  }
}

interface Candidate {
  readonly id: string
  readonly stored?: CheckedEnvelope
}

/**
 * What the full hook would show for `stamp`'s session now, done here, or why not. `deadline` is the budget's end in
 * ms of process uptime. The session's record and pointer were checked by the caller.
 */
export const surfaceInbox = (bridgeHome: string, stamp: HookStamp, deadline: number): InboxOutcome => {
  const home = folderPrefix(bridgeHome)
  try {
    const root = statSync(home || "/")
    if (!root.isDirectory() || (root.mode & 0o777) !== DIR_MODE || !mine(root))
      return { why: "the home is not a 0700 folder of this user" }
    const sessionId = stamp.sessionId
    const takenAt = Date.now()
    const looked: Array<StampedDir> = stamp.dirs.map((d) => ({
      path: d.path,
      mtimeMs: folder(home, d.path)?.mtimeMs ?? null
    }))
    for (const dir of [Layout.inboxesDir, Layout.statesDir, Layout.stateDir(sessionId)]) folder(home, dir)
    const inboxDir = Layout.inboxDir(sessionId)
    const read = new Set(names(home, Layout.readDir(sessionId)))
    const surfaced = new Set(names(home, Layout.surfacedDir(sessionId)))
    const isWaiting = (id: string) => !read.has(id) && !surfaced.has(id)
    const candidates: Array<Candidate> = []
    for (const n of names(home, inboxDir))
      if (n.endsWith(".json") && isWaiting(n.slice(0, -5))) candidates.push({ id: n.slice(0, -5) })
    const now = Date.now()
    // Those too old to be live by their names are not read, as the full hook does not read them.
    const broadcasts = names(home, Layout.broadcastsDir).filter(
      (n) => n.endsWith(".json") && mayBeLiveBroadcast(n, now)
    )
    if (broadcasts.length > MAX_FAST_BROADCASTS) return { why: `more than ${MAX_FAST_BROADCASTS} broadcasts` }
    for (const n of broadcasts) {
      const e = envelope(home, `${Layout.broadcastsDir}/${n}`)
      const live = e.expiresAtMs !== undefined && e.expiresAtMs > now
      if (live && e.from.sessionId !== sessionId && isWaiting(e.id)) candidates.push({ id: e.id, stored: e })
    }
    candidates.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    if (candidates.length === 0) return { text: "", stamped: writeStamp(home, { ...stamp, takenAt, dirs: looked }) }
    const offered = candidates.slice(0, MAX_ENTRIES).map((c) => {
      const e = c.stored ?? envelope(home, `${inboxDir}/${c.id}.json`)
      if (e.id !== c.id) return decline(`${inboxDir}/${c.id}.json holds another id`)
      if (e.origin !== "local") return decline("a remote message")
      return e
    })
    const beyond = candidates.length - offered.length
    const planned = renderInboxBlock(offered, beyond)
    if (planned.shown.length === 0) return { text: "", stamped: false }
    if (deadline - process.uptime() * 1000 < MARK_RESERVE_MS) return { text: "", stamped: false }
    let won: Set<string>
    try {
      won = new Set(markSurfaced(home, sessionId, planned.shown))
    } catch (error) {
      if (error instanceof Decline) throw error
      // As the full hook: on a full disk even an empty marker may not be created, and the messages are shown anyway.
      return { text: planned.text, stamped: false }
    }
    if (won.size === planned.shown.length) return { text: planned.text, stamped: false }
    if (won.size === 0) return { text: "", stamped: false }
    // Another run surfaced some of these meanwhile: show only ours, and keep the rest waiting.
    const ours = offered.filter((m) => won.has(m.id))
    return { text: renderInboxBlock(ours, beyond + offered.length - planned.shown.length).text, stamped: false }
  } catch (error) {
    return { why: error instanceof Error ? error.message : String(error) }
  }
}
