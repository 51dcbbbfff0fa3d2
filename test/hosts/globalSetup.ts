import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import { ensureHosts, entry, repoRoot } from "./support.js"

/** Installs the pinned host CLIs (cached) and builds dist/ when missing. A failed install fails the run. */
export default async function setup() {
  const results: Array<{ id: string; ok: boolean; cached: boolean; ms: number; error?: string }> = await ensureHosts()
  for (const r of results)
    process.stderr.write(
      `host ${r.id}: ${r.ok ? (r.cached ? "cached" : `installed in ${r.ms} ms`) : "INSTALL FAILED"}\n`
    )
  const failed = results.filter((r) => !r.ok)
  if (failed.length > 0)
    throw new Error(`host CLI install failed: ${failed.map((f) => `${f.id}: ${f.error ?? ""}`).join("\n")}`)
  if (!fs.existsSync(entry)) execFileSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "inherit" })
}
