import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { CROCKFORD, encodeTime } from "../../../src/domain/Ulid.js"
import { LAUNCHER } from "../../support/build.js"

/*
 * Homes for comparing the launcher's fast path with the full hook: a session settled on the fast path, envelopes
 * written into it as the store writes them (0600 files in 0700 folders), a copy of the home, and every file of a
 * home with its bytes and mode.
 */

export const PROMPT = ["UserPromptSubmit", "--provider", "claude-code"]

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "sb-hookinbox-"))
export const bridge = (dir: string) => path.join(dir, "bridge")
export const payload = (dir: string) =>
  JSON.stringify({ session_id: "host-1", cwd: dir, hook_event_name: "UserPromptSubmit", prompt: "go on" })

/** One hook prompt for the session of `dir` (its home is `home`, `dir`/bridge unless given). */
export const prompt = (dir: string, home = bridge(dir), env: Record<string, string> = {}): Run => {
  const r = spawnSync(process.execPath, [LAUNCHER, "hook", ...PROMPT], {
    cwd: dir,
    input: payload(dir),
    encoding: "utf8",
    timeout: 20_000,
    env: {
      PATH: process.env["PATH"] ?? "/usr/bin:/bin",
      HOME: path.join(dir, "user"),
      SESSION_BRIDGE_HOME: home,
      SESSION_BRIDGE_HOOK_BUDGET_MS: "15000",
      SESSION_BRIDGE_DEBUG: "1",
      ...env
    }
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/** A session whose prompts reached the fast path with nothing waiting: its bridge session id. */
export const settle = (dir: string): string => {
  prompt(dir)
  const second = prompt(dir)
  if (!second.stderr.includes("fast path, nothing waiting")) throw new Error(`not settled: ${second.stderr}`)
  return fs.readdirSync(path.join(bridge(dir), "sessions"))[0]!.replace(/\.json$/, "")
}

/** A message id in Crockford base32, ordered by `n`. */
export const ulid = (n: number, prefix = "01J0") => {
  let out = ""
  for (let left = n; out.length < 26 - prefix.length; left = Math.floor(left / 32)) out = CROCKFORD[left % 32] + out
  return `${prefix}${out}`
}
/** A message id made an hour ago, ordered by `n`: a broadcast that may still be live by its name. */
export const recentUlid = (n: number) => ulid(n, encodeTime(Date.now() - 3_600_000))
export const OTHER = ulid(999_999, "01HZ")

/** An envelope as the bridge stores it, with `over` on top. */
export const envelope = (id: string, to: string, over: Record<string, unknown> = {}) => ({
  v: 1,
  id,
  kind: "direct",
  from: { sessionId: OTHER, label: "alice", provider: "codex" },
  to: [{ sessionId: to, label: "me" }],
  subject: `subject ${id}`,
  body: `body of ${id}`,
  threadId: id,
  artifacts: [],
  createdAt: "2026-01-02T03:04:05.678Z",
  origin: "local",
  ...over
})

/** Creates the store folders of `rel` (0700) under `home`. */
export const folders = (home: string, rel: string) => {
  let at = home
  for (const part of rel.split("/")) {
    at = path.join(at, part)
    if (!fs.existsSync(at)) fs.mkdirSync(at)
    fs.chmodSync(at, 0o700)
  }
}

/** Writes `text` at `rel` under `home` as the store would (0600 in 0700 folders). */
export const put = (home: string, rel: string, text: string, mode = 0o600) => {
  folders(home, path.dirname(rel))
  fs.writeFileSync(path.join(home, rel), text)
  fs.chmodSync(path.join(home, rel), mode)
}

export const putEnvelope = (home: string, dir: string, e: { readonly id: string }) =>
  put(home, `${dir}/${e.id}.json`, JSON.stringify(e))

/** Every file and link under `home` but the hook's cache, with its bytes (a link: its target) and mode. */
export const tree = (home: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(home, rel), { withFileTypes: true })) {
      const r = rel === "" ? entry.name : `${rel}/${entry.name}`
      if (r === "cache") continue
      const abs = path.join(home, r)
      const mode = (fs.lstatSync(abs).mode & 0o777).toString(8)
      if (entry.isDirectory()) {
        out[`${r}/`] = mode
        walk(r)
      } else if (entry.isSymbolicLink()) out[r] = `link ${fs.readlinkSync(abs)}`
      else if (entry.isFile()) out[r] = `${mode} ${fs.readFileSync(abs, "utf8")}`
      else out[r] = `${mode} special`
    }
  }
  walk("")
  // The quarantine names a moved file after the time it was moved; the event log records that time.
  return Object.fromEntries(
    Object.entries(out).map(([k, v]) => [k.replace(/^quarantine\/[^_]*/, "quarantine/T"), k === "events.log" ? "" : v])
  )
}

/** A copy of the home at `from`, links and modes kept, without the stamps: the full hook runs on it. */
export const fullHome = (from: string, to: string) => {
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true })
  fs.rmSync(path.join(to, "cache", "hook-stamps"), { recursive: true, force: true })
}
