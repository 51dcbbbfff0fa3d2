// The V8 startup snapshot route for the hook, measured beside the code-cache path the hook uses (ADR-0035):
// Node restores a heap with Effect and the hook already evaluated (`node --snapshot-blob <blob> <args>`).
// Not a bench file of its own (run.mjs runs *.bench.mjs only): bench/hook.bench.mjs builds these blobs in its
// temporary folder and times them in its own loop, so that the rows compare runs of one machine state.
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { REPO } from "./lib.mjs"

const HOOK_BUNDLE = path.join(REPO, "dist", "hook.cjs")

/**
 * The builder script `node --build-snapshot` runs: it evaluates dist/hook.cjs (already inside Node's CommonJS
 * wrapper, see scripts/build.mjs) and makes the hook's `main` the function a restored process starts with.
 * A builder's `require` reaches Node built-ins only, which is all the hook bundle requires.
 */
const hookBuilder = `const fs = require("node:fs"), path = require("node:path"), v8 = require("node:v8")
const file = ${JSON.stringify(HOOK_BUNDLE)}
const m = { exports: {} }
const wrapper = (0, eval)(fs.readFileSync(file, "latin1") + "\\n//# sourceURL=" + file)
wrapper(m.exports, require, m, file, path.dirname(file))
// A restored process has no script: process.argv is [node, ...the arguments after the blob].
v8.startupSnapshot.setDeserializeMainFunction(() => m.exports.main(process.argv.slice(1)))
`

/** The least any user-land snapshot costs: one that restores Node's own heap and runs nothing. */
const emptyBuilder = `require("node:v8").startupSnapshot.setDeserializeMainFunction(() => {})\n`

/** Builds one blob in `dir`; `withoutCodeCache` leaves Node's compiled built-ins out of it (about 2.6 MB). */
const buildBlob = (dir, name, builderText, withoutCodeCache) => {
  const builder = path.join(dir, `${name}-builder.cjs`)
  const config = path.join(dir, `${name}-config.json`)
  const blob = path.join(dir, `${name}.blob`)
  fs.writeFileSync(builder, builderText)
  fs.writeFileSync(config, JSON.stringify({ builder, withoutCodeCache }))
  const r = spawnSync(process.execPath, ["--snapshot-blob", blob, "--build-snapshot-config", config], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
    encoding: "utf8"
  })
  if (r.status !== 0 || !fs.existsSync(blob)) throw new Error(`snapshot ${name} failed to build: ${r.stderr}`)
  return { blob, bytes: fs.statSync(blob).size }
}

/**
 * The blobs the bench times: the hook with Node's built-ins' code cache (`hook`), the same without it (`lean`),
 * and the empty one (`empty`). Each blob is tied to this node binary and this build of dist/hook.cjs.
 */
export const buildHookSnapshots = (dir) => ({
  hook: buildBlob(dir, "hook", hookBuilder, false),
  lean: buildBlob(dir, "hook-lean", hookBuilder, true),
  empty: buildBlob(dir, "empty", emptyBuilder, false)
})

/** argv of `node` for the hook restored from `blob`: the host event and provider, as the launcher passes them. */
export const snapshotHookArgs = (blob, event) => ["--snapshot-blob", blob, event, "--provider", "claude-code"]
