import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
// @ts-expect-error plain .mjs helper shared with the install script
import { cacheRoot, ensureHosts, hostBin, HOSTS } from "./install-hosts.mjs"

export { cacheRoot, ensureHosts, hostBin, HOSTS }

export const repoRoot = path.resolve(fileURLToPath(new URL("../..", import.meta.url)))
/** The installed executable (package.json "bin"), as `init` writes it for an installed package. */
export const entry = path.join(repoRoot, "dist", "session-bridge.cjs")

export interface Scratch {
  readonly root: string
  readonly home: string
  readonly project: string
  readonly tmp: string
  readonly bridgeHome: string
  /** The environment every process of this scratch machine gets. */
  readonly env: Record<string, string>
}

/** A fresh HOME, TMPDIR, project folder and bridge home; PATH holds every cached host binary. */
export const scratch = (name: string): Scratch => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `sb-hosts-${name}-`))
  const dirs = { home: `${root}/home`, project: `${root}/project`, tmp: `${root}/tmp`, bridgeHome: `${root}/bridge` }
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true })
  const bins = Object.keys(HOSTS).map((id) => path.dirname(hostBin(id)))
  const env: Record<string, string> = {
    PATH: [...bins, path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
    HOME: dirs.home,
    TMPDIR: dirs.tmp,
    LANG: "C.UTF-8",
    SESSION_BRIDGE_HOME: dirs.bridgeHome,
    // The hook's 1.5 s budget is meant for an idle machine; the test machine is shared.
    SESSION_BRIDGE_HOOK_BUDGET_MS: "15000",
    NO_COLOR: "1"
  }
  return { root, ...dirs, env }
}

export interface RunResult {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/** Runs a command with stdin closed (or fed `input`) and a hard timeout; never inherits the test's env. */
export const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: {
    readonly env: Record<string, string>
    readonly cwd: string
    readonly timeoutMs?: number
    readonly input?: string
  }
): Promise<RunResult> =>
  new Promise((resolve) => {
    const started = Date.now()
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ["pipe", "pipe", "pipe"],
      detached: true
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d) => (stdout += d))
    child.stderr.on("data", (d) => (stderr += d))
    const killAll = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
      } catch {
        // already gone
      }
    }
    const timer = setTimeout(killAll, options.timeoutMs ?? 120_000)
    child.on("error", (e) => {
      clearTimeout(timer)
      resolve({ code: -1, stdout, stderr: stderr + String(e), ms: Date.now() - started })
    })
    child.on("close", (code) => {
      clearTimeout(timer)
      // Hosts may leave helpers behind (Cline's hub daemon): end the whole process group.
      killAll()
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    })
    child.stdin.on("error", () => {})
    child.stdin.end(options.input ?? "")
  })

/** Runs `session-bridge <args>` as a user of the scratch machine would. */
export const sb = (s: Scratch, args: ReadonlyArray<string>, extraEnv: Record<string, string> = {}, input?: string) =>
  run(process.execPath, [entry, ...args], {
    env: { ...s.env, ...extraEnv },
    cwd: s.project,
    timeoutMs: 120_000,
    ...(input !== undefined ? { input } : {})
  })

/** Runs a cached host CLI in the scratch machine. */
export const host = (
  s: Scratch,
  id: string,
  args: ReadonlyArray<string>,
  extraEnv: Record<string, string> = {},
  timeoutMs = 120_000
) => run(hostBin(id), args, { env: { ...s.env, ...extraEnv }, cwd: s.project, timeoutMs })

/** Every regular file under `dir` (relative path → text), skipping folders a host fills by itself. */
export const snapshot = (dir: string, skip: ReadonlyArray<string> = []): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      const rel = path.relative(dir, p)
      if (skip.some((s) => rel === s || rel.startsWith(s + "/"))) continue
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) out[rel] = fs.readFileSync(p, "utf8")
    }
  }
  if (fs.existsSync(dir)) walk(dir)
  return out
}

const ANSI = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g")
export const strip = (text: string) => text.replace(ANSI, "")

/** Asks `codex app-server` (JSON-RPC over stdio) for the hooks it sees in `cwd` and their trust status. */
export const codexHooks = (
  s: Scratch
): Promise<Array<{ key: string; command: string; trustStatus: string; currentHash: string }>> =>
  new Promise((resolve, reject) => {
    const child = spawn(hostBin("codex"), ["app-server"], {
      cwd: s.project,
      env: s.env,
      stdio: ["pipe", "pipe", "ignore"],
      detached: true
    })
    const stop = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL")
      } catch {
        // gone
      }
    }
    const timer = setTimeout(() => {
      stop()
      reject(new Error("codex app-server did not answer hooks/list in 60 s"))
    }, 60_000)
    let buf = ""
    child.stdout.on("data", (d) => {
      buf += d
      for (let i = buf.indexOf("\n"); i >= 0; i = buf.indexOf("\n")) {
        const line = buf.slice(0, i)
        buf = buf.slice(i + 1)
        if (line.trim() === "") continue
        const msg = JSON.parse(line)
        if (msg.id === 1) {
          child.stdin.write(JSON.stringify({ jsonrpc: "2.0", method: "initialized" }) + "\n")
          child.stdin.write(
            JSON.stringify({ jsonrpc: "2.0", id: 2, method: "hooks/list", params: { cwds: [s.project] } }) + "\n"
          )
        } else if (msg.id === 2) {
          clearTimeout(timer)
          stop()
          if (msg.error) reject(new Error(JSON.stringify(msg.error)))
          else resolve(msg.result.data.flatMap((d: { hooks: Array<never> }) => d.hooks))
        }
      }
    })
    child.stdin.write(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { clientInfo: { name: "sb-test", version: "1" } }
      }) + "\n"
    )
  })
