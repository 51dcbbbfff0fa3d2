import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { BridgeLayer } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import { layerFileSystem } from "../../src/platform/store/FileSystemStore.js"
import * as HostConfig from "../../src/services/HostConfig.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import * as Lock from "../../src/services/Lock.js"
import { runCli } from "./harness.js"

describe("gc on the file system", () => {
  it.live("removes temp files left by interrupted writes, and inspect shows absolute paths", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sb-cli-gc-"))
    const layer = Layer.mergeAll(
      BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer)),
      HostConfig.layerMemory()
    ).pipe(
      Layer.provideMerge(
        Layer.mergeAll(
          layerFileSystem(root),
          Lock.layerMemory,
          Ids.layer,
          HostEnv.layerMemory({ home: "/home/tester" })
        )
      )
    )
    return Effect.gen(function* () {
      fs.mkdirSync(path.join(root, "inbox", "X"), { recursive: true, mode: 0o700 })
      const stale = path.join(root, "inbox", "X", ".tmp-interrupted")
      const fresh = path.join(root, "inbox", "X", ".tmp-in-flight")
      fs.writeFileSync(stale, "half a file", { mode: 0o600 })
      fs.writeFileSync(fresh, "being written", { mode: 0o600 })
      const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000)
      fs.utimesSync(stale, twoHoursAgo, twoHoursAgo)
      // Code-cache temps left by a failed write: the current name (a store temp) and an older version's.
      fs.mkdirSync(path.join(root, "cache"), { mode: 0o700 })
      const cacheTemps = [".tmp-123-hook-v20.0.0-x64-1-2.v8", "hook-v20.0.0-x64-1-2.v8.123.tmp"].map((n) =>
        path.join(root, "cache", n)
      )
      for (const t of cacheTemps) {
        fs.writeFileSync(t, "", { mode: 0o600 })
        fs.utimesSync(t, twoHoursAgo, twoHoursAgo)
      }
      const r = yield* runCli(["gc"])
      assert.strictEqual(r.exitCode, 0, r.stderr)
      assert.match(
        r.stdout,
        /temp files left by interrupted writes:\n(?: {2}.*\n)*? {2}inbox\/X\/\.tmp-interrupted {2}11 B/
      )
      assert.isFalse(fs.existsSync(stale))
      assert.isTrue(fs.existsSync(fresh))
      for (const t of cacheTemps) assert.isFalse(fs.existsSync(t), t)

      yield* runCli(["tail-inbox"])
      const list = JSON.parse((yield* runCli(["list-sessions", "--json"])).stdout)
      const inspected = JSON.parse(
        (yield* runCli(["inspect", path.join(root, "sessions", `${list[0].sessionId}.json`), "--json"])).stdout
      )
      assert.strictEqual(inspected[0].absolutePath, path.join(root, "sessions", `${list[0].sessionId}.json`))
      assert.strictEqual(inspected[0].mode, "0600")
    }).pipe(
      Effect.provide(layer),
      Effect.ensuring(Effect.sync(() => fs.rmSync(root, { recursive: true, force: true })))
    )
  })
})
