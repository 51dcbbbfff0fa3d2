import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

/** The repository root and the built executable that end-to-end tests spawn. */
export const REPO = path.resolve(import.meta.dirname, "../..")
export const BIN = path.join(REPO, "dist", "bin.js")
/** The installed executable (package.json "bin"): a CommonJS launcher that runs the hook bundle itself. */
export const LAUNCHER = path.join(REPO, "dist", "session-bridge.cjs")

const newestMtime = (entry: string): number => {
  let st: fs.Stats
  try {
    st = fs.statSync(entry)
  } catch {
    return 0
  }
  if (!st.isDirectory()) return st.mtimeMs
  let newest = 0
  for (const name of fs.readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, name)))
  return newest
}

/** True when dist/bin.js is missing or older than anything it is built from. */
export const isStale = (): boolean => {
  const built = newestMtime(BIN)
  if (built === 0) return true
  const sources = Math.max(
    newestMtime(path.join(REPO, "src")),
    newestMtime(path.join(REPO, "scripts", "build.mjs")),
    newestMtime(path.join(REPO, "package.json"))
  )
  return sources > built
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Builds dist/ once when it is missing or stale. Test files (and vitest workers) that call this at once
 * take turns through a lock directory, so one build runs and the others reuse it.
 * A failed build falls back to the last good dist/. SESSION_BRIDGE_TEST_NO_BUILD=1 uses dist/ as it is.
 */
export const ensureBuilt = async (): Promise<string> => {
  if (process.env["SESSION_BRIDGE_TEST_NO_BUILD"] === "1" && fs.existsSync(BIN)) return BIN
  const lock = path.join(os.tmpdir(), `session-bridge-build-${Buffer.from(REPO).toString("hex").slice(-24)}.lock`)
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      fs.mkdirSync(lock)
      break
    } catch {
      // A lock left by a killed build is taken over after a minute.
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
      if (age > 60_000) fs.rmSync(lock, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`timed out waiting for the build lock ${lock}`)
      await sleep(200)
    }
  }
  try {
    if (isStale()) {
      try {
        execFileSync(process.execPath, [path.join(REPO, "scripts", "build.mjs")], { cwd: REPO, stdio: "pipe" })
      } catch (error) {
        // The build keeps the last good dist/ when it fails (e.g. a half-written source file); use that one.
        if (!fs.existsSync(BIN)) throw error
        process.stderr.write(
          `warning: build failed, testing the previous dist/: ${String((error as { stderr?: unknown }).stderr ?? error).slice(0, 400)}\n`
        )
      }
    }
  } finally {
    fs.rmSync(lock, { recursive: true, force: true })
  }
  return BIN
}
