// Bundles the executables with esbuild: ESM, code splitting so `hook` and `version` never parse the MCP SDK.
import { build } from "esbuild"
import { readFileSync, rmSync, chmodSync, renameSync, existsSync } from "node:fs"

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
// Build beside dist/ and swap it in only when the build succeeded: a failed build keeps the last good dist/.
const dist = new URL("../dist", import.meta.url)
const next = new URL(`../dist.next-${process.pid}`, import.meta.url)
const old = new URL(`../dist.old-${process.pid}`, import.meta.url)
rmSync(next, { recursive: true, force: true })

await build({
  entryPoints: { bin: "src/bin.ts", legacy: "src/legacy.ts" },
  outdir: next.pathname,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  chunkNames: "chunks/[name]-[hash]",
  define: { __SESSION_BRIDGE_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  logLevel: "warning"
}).catch((error) => {
  rmSync(next, { recursive: true, force: true })
  throw error
})
// The hook again as one CommonJS script: src/hook/main.ts runs it through V8's code cache (none exists for ESM on Node 20).
await build({
  entryPoints: ["src/hook/run.ts"],
  outfile: `${next.pathname}/hook.cjs`,
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  minify: true,
  legalComments: "none",
  define: { __SESSION_BRIDGE_VERSION__: JSON.stringify(pkg.version) },
  logLevel: "warning"
}).catch((error) => {
  rmSync(next, { recursive: true, force: true })
  throw error
})
// The shebang is kept from src/bin.ts; make the entries executable.
for (const f of ["bin.js", "legacy.js"]) chmodSync(new URL(f, next.href + "/"), 0o755)
if (existsSync(dist)) renameSync(dist, old)
renameSync(next, dist)
rmSync(old, { recursive: true, force: true })
