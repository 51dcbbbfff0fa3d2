import { appendFileSync } from "node:fs"
import type { Reporter, TestModule } from "vitest/node"

/** Prints one plain `N passed, N failed` line, taken from vitest's own results. */
export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0
    let failed = 0
    let skipped = 0
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state
        if (state === "passed") passed++
        else if (state === "failed") failed++
        else skipped++
      }
      if (module.state() === "failed" && module.children.size === 0) failed++
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`)
    const file = process.env["SB_SUMMARY_FILE"]
    if (file) appendFileSync(file, JSON.stringify({ passed, failed, skipped }) + "\n")
  }
}
