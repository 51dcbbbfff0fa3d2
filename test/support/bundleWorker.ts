import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { buildSync } from "esbuild"

const REPO = path.resolve(import.meta.dirname, "../..")

/**
 * Bundles a TypeScript worker into a runnable .mjs file and returns its path. With `externalPackages` the packages
 * stay imports (a native addon such as better-sqlite3 cannot be bundled), so the file goes under the repository's
 * `.cache/`, where node_modules resolves.
 */
export const bundleWorker = (entry: string, options: { readonly externalPackages?: boolean } = {}): string => {
  const base = options.externalPackages ? path.join(REPO, ".cache") : os.tmpdir()
  fs.mkdirSync(base, { recursive: true })
  const out = path.join(fs.mkdtempSync(path.join(base, "sb-worker-")), path.basename(entry).replace(/\.ts$/, ".mjs"))
  buildSync({
    entryPoints: [entry],
    outfile: out,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "error",
    ...(options.externalPackages ? { packages: "external" as const } : {})
  })
  return out
}
