// Bundles the executables with esbuild: ESM, code splitting so `hook` and `version` never parse the MCP SDK.
import { build } from "esbuild"
import { readFileSync, rmSync, chmodSync } from "node:fs"

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true })

await build({
  entryPoints: { bin: "src/bin.ts", legacy: "src/legacy.ts" },
  outdir: "dist",
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
})
// The shebang is kept from src/bin.ts; make the entries executable.
for (const f of ["dist/bin.js", "dist/legacy.js"]) chmodSync(f, 0o755)
