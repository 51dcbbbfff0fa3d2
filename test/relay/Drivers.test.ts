import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { build } from "esbuild"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { checkRelayDrivers, installCommand, RelayDriverMissing, relayDrivers } from "../../src/relay/Drivers.js"
import { REPO } from "../support/build.js"

const notFound = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}'`), { code: "ERR_MODULE_NOT_FOUND" })

/** A loader that has every package except `absent`, and records what it was asked for. */
const loaderWithout = (absent: Record<string, unknown>) => {
  const asked: Array<string> = []
  const load = (name: string) => {
    asked.push(name)
    return name in absent ? Promise.reject(absent[name]) : Promise.resolve({})
  }
  return { asked, load }
}

describe("relay drivers", () => {
  it.effect("all load in a development checkout (devDependencies install them)", () =>
    Effect.gen(function* () {
      const result = yield* Effect.either(checkRelayDrivers())
      assert.isTrue(Either.isRight(result), JSON.stringify(result))
    })
  )

  it.effect("a missing package fails with RELAY_DRIVER_MISSING naming it and the command that installs it", () =>
    Effect.gen(function* () {
      const { load } = loaderWithout({ "better-sqlite3": notFound("better-sqlite3") })
      const error = yield* Effect.flip(checkRelayDrivers(["sqlite"], load))
      assert.instanceOf(error, RelayDriverMissing)
      assert.strictEqual(error.code, "RELAY_DRIVER_MISSING")
      assert.deepStrictEqual(
        error.missing.map((d) => d.name),
        ["better-sqlite3"]
      )
      assert.include(error.message, "missing: better-sqlite3")
      assert.include(error.hint, "npm install -g better-sqlite3@12.11.1 ")
      assert.deepStrictEqual(Object.keys(error.toJSON()), ["code", "message", "hint"])
    })
  )

  it.effect("a package that is there but fails to load is named with the loader's reason", () =>
    Effect.gen(function* () {
      const { load } = loaderWithout({ "@effect/sql-pg": new Error("was compiled against a different Node.js") })
      const error = yield* Effect.flip(checkRelayDrivers(["postgres"], load))
      assert.include(error.message, "@effect/sql-pg (was compiled against a different Node.js)")
    })
  )

  it.effect("checks only the packages of the databases asked for", () =>
    Effect.gen(function* () {
      const { asked, load } = loaderWithout({ "better-sqlite3": notFound("better-sqlite3") })
      yield* checkRelayDrivers(["postgres"], load)
      assert.deepStrictEqual([...asked].sort(), [
        "@effect/cli",
        "@effect/experimental",
        "@effect/platform",
        "@effect/platform-node",
        "@effect/sql",
        "@effect/sql-pg",
        "effect"
      ])
    })
  )

  it("pins the versions package.json declares (optional peers, installed for development)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8"))
    assert.isUndefined(pkg.dependencies, "the published package has no runtime dependencies")
    for (const d of relayDrivers) {
      assert.strictEqual(pkg.devDependencies[d.name], d.version, d.name)
      assert.strictEqual(pkg.peerDependencies[d.name], `^${d.version}`, d.name)
      assert.deepStrictEqual(pkg.peerDependenciesMeta[d.name], { optional: true }, d.name)
    }
    assert.deepStrictEqual(Object.keys(pkg.peerDependencies).sort(), relayDrivers.map((d) => d.name).sort())
    assert.strictEqual(
      installCommand(relayDrivers.slice(2, 4)),
      "npm install -g @effect/sql-sqlite-node@0.53.0 better-sqlite3@12.11.1"
    )
  })

  it("RELAY_DRIVER_MISSING has a section in docs/troubleshooting.md with the full install command", () => {
    const doc = fs.readFileSync(path.join(REPO, "docs/troubleshooting.md"), "utf8")
    assert.match(doc, /^## RELAY_DRIVER_MISSING$/m)
    assert.include(doc.replace(/\s+/g, " "), installCommand(relayDrivers).replace("npm install -g ", ""))
  })

  it("a bundle run where none is installed fails with the clear error, not a module-loader stack trace", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-drivers-"))
    try {
      const entry = [
        `import { Effect } from "effect"`,
        `import { checkRelayDrivers } from ${JSON.stringify(path.join(REPO, "src/relay/Drivers.ts"))}`,
        `const r = await Effect.runPromise(Effect.either(checkRelayDrivers()))`,
        `process.stdout.write(JSON.stringify(r._tag === "Left" ? r.left.toJSON() : "ok"))`
      ].join("\n")
      const outfile = path.join(dir, "relay-check.mjs")
      await build({
        stdin: { contents: entry, resolveDir: REPO, loader: "ts" },
        bundle: true,
        platform: "node",
        format: "esm",
        outfile,
        logLevel: "silent"
      })
      const run = spawnSync(process.execPath, [outfile], { cwd: dir, encoding: "utf8", timeout: 20_000 })
      assert.strictEqual(run.stderr, "")
      const json = JSON.parse(run.stdout)
      assert.strictEqual(json.code, "RELAY_DRIVER_MISSING")
      for (const d of relayDrivers) assert.include(json.message, d.name)
      assert.include(json.hint, installCommand(relayDrivers))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
