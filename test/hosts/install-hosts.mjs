// Installs the pinned host CLIs into .cache/hosts/<id>/ (gitignored) once; later runs reuse them.
// Usage: node test/hosts/install-hosts.mjs [id...]   Prints one JSON line per host; exits 1 if any install failed.
import { spawn } from "node:child_process"
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as path from "node:path"

export const HOSTS = {
  "claude-code": { pkg: "@anthropic-ai/claude-code", version: "2.1.197", bin: "claude" },
  codex: { pkg: "@openai/codex", version: "0.171.0", bin: "codex" },
  "gemini-cli": { pkg: "@google/gemini-cli", version: "0.61.0", bin: "gemini" },
  opencode: { pkg: "opencode-ai", version: "1.18.33", bin: "opencode" },
  cline: { pkg: "cline", version: "3.0.65", bin: "cline" },
  grok: { pkg: "@vibe-kit/grok-cli", version: "0.0.34", bin: "grok" }
}

export const cacheRoot = path.resolve(fileURLToPath(new URL("../../.cache/hosts", import.meta.url)))

export const hostBin = (id) => path.join(cacheRoot, id, "node_modules", ".bin", HOSTS[id].bin)

const isInstalled = (id) => {
  const marker = path.join(cacheRoot, id, "installed.json")
  if (!existsSync(marker) || !existsSync(hostBin(id))) return false
  try {
    const m = JSON.parse(readFileSync(marker, "utf8"))
    return m.pkg === HOSTS[id].pkg && m.version === HOSTS[id].version
  } catch {
    return false
  }
}

const install = (id) =>
  new Promise((resolve) => {
    const { pkg, version } = HOSTS[id]
    const prefix = path.join(cacheRoot, id)
    mkdirSync(prefix, { recursive: true })
    const started = Date.now()
    // npm is run from "/" so that no folder in the cwd is mistaken for the package (a folder named "cline").
    const child = spawn(
      "npm",
      ["install", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", `${pkg}@${version}`],
      { cwd: "/", stdio: ["ignore", "ignore", "pipe"] }
    )
    let stderr = ""
    child.stderr.on("data", (d) => (stderr += d))
    const timer = setTimeout(() => child.kill("SIGKILL"), 600_000)
    child.on("close", (code) => {
      clearTimeout(timer)
      const ok = code === 0 && existsSync(hostBin(id))
      if (ok) writeFileSync(path.join(prefix, "installed.json"), JSON.stringify({ pkg, version }) + "\n")
      resolve({ id, ok, cached: false, ms: Date.now() - started, error: ok ? undefined : stderr.slice(-2000) })
    })
  })

/** Installs the hosts that are missing, two at a time. */
export const ensureHosts = async (ids = Object.keys(HOSTS)) => {
  const results = []
  const queue = ids.filter((id) => {
    if (isInstalled(id)) {
      results.push({ id, ok: true, cached: true, ms: 0 })
      return false
    }
    return true
  })
  const worker = async () => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) results.push(await install(id))
  }
  await Promise.all([worker(), worker()])
  return results
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const ids = process.argv.slice(2)
  const results = await ensureHosts(ids.length > 0 ? ids : undefined)
  for (const r of results) process.stdout.write(JSON.stringify(r) + "\n")
  process.exitCode = results.every((r) => r.ok) ? 0 : 1
}
