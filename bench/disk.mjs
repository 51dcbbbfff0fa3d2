// Waiting for the disk to be idle, for run.mjs (before each bench file) and for a file that has just seeded a home.
// No side effects at import (bench/lib.mjs makes a scratch folder when imported).
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"

/**
 * Flushes what the previous file left for the disk to write (an install, two databases' spools) and waits, up to
 * 30 s, until the kernel's dirty and write-back pages are under 8 MiB, so that one file's fsyncs do not queue behind
 * another's write-back (run.mjs before each file; a file after seeding a home). A user's machine is not writing a
 * bench's leftovers while they work.
 */
export const settleDisk = async () => {
  const started = Date.now()
  spawnSync("sync", { stdio: "ignore" })
  for (;;) {
    const meminfo = fs.readFileSync("/proc/meminfo", "utf8")
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(meminfo)?.[1] ?? 0)
    if (kb("Dirty") + kb("Writeback") < 8192 || Date.now() - started > 30_000) break
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  await new Promise((resolve) => setTimeout(resolve, 1_000))
}
