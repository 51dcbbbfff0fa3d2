// Bundles the executables with esbuild: ESM, code splitting so `hook` and `version` never parse the MCP SDK.
import { build } from "esbuild"
import { readFileSync, rmSync, chmodSync, renameSync, existsSync } from "node:fs"

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"))
// Build beside dist/ and swap it in only when the build succeeded: a failed build keeps the last good dist/.
const dist = new URL("../dist", import.meta.url)
const next = new URL(`../dist.next-${process.pid}`, import.meta.url)
const old = new URL(`../dist.old-${process.pid}`, import.meta.url)
rmSync(next, { recursive: true, force: true })

/** One esbuild run with the options every bundle shares; a failure removes the half-built folder. */
const bundle = (options) =>
  build({
    bundle: true,
    platform: "node",
    target: "node20",
    minify: true,
    legalComments: "none",
    logLevel: "warning",
    ...options
  }).catch((error) => {
    rmSync(next, { recursive: true, force: true })
    throw error
  })

// tools/list, computed once here from the tool Schemas (src/mcp/ListedTools.ts) and held by the bundle as a literal: the
// MCP server answers initialize and tools/list without loading effect or the tools (docs/adr/0037-mcp-server-loads-per-request.md).
const listingFile = `${next.pathname}/listed-tools.mjs`
await bundle({
  entryPoints: ["src/mcp/ListedTools.ts"],
  outfile: listingFile,
  format: "esm",
  define: { __SESSION_BRIDGE_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" }
})
const listedTools = JSON.stringify((await import(listingFile)).listedTools())
rmSync(listingFile)
const listedToolsLiteral = {
  name: "listed-tools-literal",
  setup(b) {
    b.onLoad({ filter: /[\\/]src[\\/]mcp[\\/]ListedTools\.ts$/ }, () => ({
      contents: `export const listedTools = () => JSON.parse(${JSON.stringify(listedTools)})`,
      loader: "js"
    }))
  }
}

// effect/Schema imports fast-check as a namespace for its Arbitrary annotations; they only run when a test generates
// data, never in the hook or the MCP server's tool calls. An empty module in its place keeps about 36 KB out of what
// every hook run parses and runs.
const noFastCheck = {
  name: "no-fast-check",
  setup(b) {
    b.onResolve({ filter: /^fast-check$/ }, () => ({ path: "fast-check", namespace: "no-fast-check" }))
    b.onLoad({ filter: /.*/, namespace: "no-fast-check" }, () => ({ contents: "export {}", loader: "js" }))
  }
}
// Importing node:fs as an ES module builds its module namespace, which reads every export, among them the lazy
// ReadStream/WriteStream getters that load Node's file streams: about 0.1 MiB resident in the MCP server, for streams its
// tool calls never open. In the tool calls' bundle node:fs is the CommonJS module object itself, read at each use.
const fsWithoutNamespace = {
  name: "fs-without-namespace",
  setup(b) {
    b.onResolve({ filter: /^node:fs$/ }, () => ({ path: "node:fs", namespace: "fs-without-namespace" }))
    b.onLoad({ filter: /.*/, namespace: "fs-without-namespace" }, () => ({
      contents: 'module.exports = process.getBuiltinModule("node:fs")',
      loader: "js"
    }))
  }
}
// The MCP server's tool calls (src/mcp/ToolRuntime.ts, loaded at the first tools/call) are one CommonJS script of
// their own, with no code of the other commands: src/platform/ToolsBoot.ts compiles it through V8's code cache (none
// exists for ES modules on Node 20), which roughly halves the first call (docs/adr/0062-tool-calls-through-a-code-cache.md).
// What they import on demand (the cloud outbox, sealing) is in the same file, initialized only when first imported.
// The file holds the module inside a wrapper function that is not parenthesized: V8 compiles a parenthesized one
// eagerly, whole, which leaves about 5 MiB more resident after a load without a cache (docs/adr/0048-mcp-server-resident-memory.md).
await bundle({
  entryPoints: ["src/mcp/ToolRuntime.ts"],
  plugins: [noFastCheck, fsWithoutNamespace],
  outfile: `${next.pathname}/mcp/tools.cjs`,
  format: "cjs",
  // As in the hook (below): Effect's clock reads `performance.now()` once, and Node's global would load perf_hooks.
  define: { __SESSION_BRIDGE_VERSION__: JSON.stringify(pkg.version), performance: "hookPerformance" },
  inject: ["src/platform/HookPerformance.ts"],
  banner: { js: "0, function (exports, require, module, __filename, __dirname) {" },
  footer: { js: "\n}" },
  // Escapes every non-ASCII character (esbuild's default, stated because src/platform/ToolsBoot.ts reads the file as latin1).
  charset: "ascii"
})

await bundle({
  entryPoints: { bin: "src/bin.ts", legacy: "src/legacy.ts" },
  plugins: [listedToolsLiteral],
  outdir: next.pathname,
  splitting: true,
  format: "esm",
  sourcemap: false,
  chunkNames: "chunks/[name]-[hash]",
  // `session-bridge relay` imports the relay's own bundle (below) at run time; it is never part of this one.
  external: ["./relay/bin.js"],
  define: { __SESSION_BRIDGE_VERSION__: JSON.stringify(pkg.version) },
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" }
})
// The hook again as one CommonJS script: src/platform/HookBoot.ts runs it through V8's code cache (none exists for ESM on
// Node 20). The file holds the module already inside Node's CommonJS wrapper, so HookBoot.ts compiles the text it reads
// as is: wrapping it at run time would copy the whole source into a second string on every prompt.
await bundle({
  entryPoints: ["src/hook/run.ts"],
  outfile: `${next.pathname}/hook.cjs`,
  format: "cjs",
  // The hook reads fd 0 and writes fd 1 itself; `process.stdout` is touched only by effect's logger module at load
  // time (to pick colours), and that touch would set up a stream (node:net, node:tty) costing several ms per prompt.
  define: {
    __SESSION_BRIDGE_VERSION__: JSON.stringify(pkg.version),
    "process.stdout": "undefined",
    // Node's global `performance` loads perf_hooks on first touch (Effect's clock touches it at load); the hook's
    // own `performance` has the one method used, now() (src/platform/HookPerformance.ts).
    performance: "hookPerformance"
  },
  inject: ["src/platform/HookPerformance.ts"],
  plugins: [noFastCheck],
  banner: { js: "(function (exports, require, module, __filename, __dirname) {" },
  footer: { js: "\n})" },
  // Escapes every non-ASCII character (esbuild's default, stated because src/platform/HookBoot.ts reads the file as latin1).
  charset: "ascii"
})
// The MCP server once more as one CommonJS script, which the launcher requires for `session-bridge mcp`: a server
// started from ES modules carries Node's ES module loader, about 1.2 MiB resident, for its whole session
// (src/platform/McpBoot.ts, docs/adr/0066-mcp-server-started-as-commonjs.md).
await bundle({
  entryPoints: ["src/mcp/main.ts"],
  plugins: [listedToolsLiteral, fsWithoutNamespace],
  outfile: `${next.pathname}/mcp/server.cjs`,
  format: "cjs",
  define: { __SESSION_BRIDGE_VERSION__: JSON.stringify(pkg.version) }
})
// The installed executable: a CommonJS launcher (Node starts it sooner than an ES module) that runs the hook bundle
// itself and hands every other command to bin.js, kept as a real dynamic import.
await bundle({
  entryPoints: ["src/launcher.ts"],
  outfile: `${next.pathname}/session-bridge.cjs`,
  format: "cjs",
  external: ["./bin.js"]
})
// The relay: its own bundle, so no other command parses it. Every package stays external (node_modules, or the
// image's production dependencies): better-sqlite3 is native, and the SQL drivers import effect and @effect/sql from
// node_modules, so a bundled second copy of effect would not share their service tags and fiber state.
await bundle({
  entryPoints: ["src/relay/bin.ts"],
  outfile: `${next.pathname}/relay/bin.js`,
  format: "esm",
  packages: "external",
  define: { __SESSION_BRIDGE_VERSION__: JSON.stringify(pkg.version) }
})
// The shebangs are kept from src/bin.ts and src/launcher.ts; make the entries executable.
for (const f of ["bin.js", "legacy.js", "session-bridge.cjs", "relay/bin.js"])
  chmodSync(new URL(f, next.href + "/"), 0o755)
if (existsSync(dist)) renameSync(dist, old)
renameSync(next, dist)
rmSync(old, { recursive: true, force: true })
