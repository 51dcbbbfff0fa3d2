import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/**
 * One scratch folder per test run, set as `TMPDIR` before the workers start, so every `os.tmpdir()` of the suite
 * (and of the processes it spawns with its environment) lands under it; removed whole when the run ends. A test
 * that forgets to remove its own folders leaves nothing behind.
 */
export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-suite-"))
  process.env["TMPDIR"] = dir
  return () => fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 })
}
