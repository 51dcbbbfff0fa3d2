// The whole test suite: type check, lint, the main vitest suite (unit, contract, e2e, browser) and the
// real-host suite. Ends with one plain line `N passed, N failed` summed from the runners' own reports.
import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const summaryDir = mkdtempSync(join(tmpdir(), "sb-summary-"))
const summary = join(summaryDir, "summary.jsonl")
const env = { ...process.env, SB_SUMMARY_FILE: summary }
const steps = [
  ["type check", "npx", ["tsc", "-p", "tsconfig.test.json"]],
  ["lint", "npx", ["oxlint", "--quiet", "src", "test", "bench"]],
  ["test suite", "npx", ["vitest", "run"]],
  ["real hosts", "npm", ["run", "--silent", "test:hosts"]]
]
let failedSteps = []
for (const [name, cmd, args] of steps) {
  process.stdout.write(`\n=== ${name}: ${cmd} ${args.join(" ")}\n`)
  const started = Date.now()
  const result = spawnSync(cmd, args, { stdio: "inherit", env })
  process.stdout.write(`=== ${name}: exit ${result.status} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  if (result.status !== 0) failedSteps.push(name)
}
let passed = 0
let failed = 0
let skipped = 0
if (existsSync(summary)) {
  for (const line of readFileSync(summary, "utf8").trim().split("\n").filter(Boolean)) {
    const r = JSON.parse(line)
    passed += r.passed
    failed += r.failed
    skipped += r.skipped
  }
}
rmSync(summaryDir, { recursive: true, force: true })
if (failedSteps.length > 0) process.stdout.write(`\nfailed steps: ${failedSteps.join(", ")}\n`)
if (failed === 0 && failedSteps.length > 0) failed = failedSteps.length
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`)
process.exit(failedSteps.length > 0 || failed > 0 || passed === 0 ? 1 : 0)
