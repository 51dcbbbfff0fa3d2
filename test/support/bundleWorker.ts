import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { buildSync } from "esbuild"

/** Bundles a TypeScript worker into a runnable .mjs file (cached per process) and returns its path. */
export const bundleWorker = (entry: string): string => {
  const out = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), "sb-worker-")),
    path.basename(entry).replace(/\.ts$/, ".mjs")
  )
  buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error"
  })
  return out
}
