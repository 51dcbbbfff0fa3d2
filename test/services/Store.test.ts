import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { layerMemory } from "../../src/services/MemoryStore.js"
import { layerFileSystem } from "../../src/platform/FileSystemStore.js"
import { Store } from "../../src/services/Store.js"
import { testStore } from "./storeContract.js"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "sb-store-"))

describe("Store/memory", () => testStore(() => layerMemory))

describe("Store/fileSystem", () => {
  testStore(() => layerFileSystem(path.join(tempDir(), "home")))

  it.live("creates the home 0700 and directories 0700", () => {
    const root = path.join(tempDir(), "home")
    return Effect.gen(function* () {
      const store = yield* Store
      yield* store.write("inbox/S/m.json", "{}")
      assert.strictEqual(fs.statSync(root).mode & 0o777, 0o700)
      assert.strictEqual(fs.statSync(path.join(root, "inbox")).mode & 0o777, 0o700)
      assert.strictEqual(fs.statSync(path.join(root, "inbox/S")).mode & 0o777, 0o700)
      assert.strictEqual(fs.statSync(path.join(root, "inbox/S/m.json")).mode & 0o777, 0o600)
    }).pipe(Effect.provide(layerFileSystem(root)))
  })

  it.live("looser modes found are tightened", () => {
    const root = path.join(tempDir(), "home")
    fs.mkdirSync(path.join(root, "sessions"), { recursive: true, mode: 0o755 })
    fs.chmodSync(root, 0o755)
    fs.writeFileSync(path.join(root, "sessions/x.json"), "{}", { mode: 0o644 })
    fs.chmodSync(path.join(root, "sessions/x.json"), 0o644)
    return Effect.gen(function* () {
      const store = yield* Store
      const fixed = yield* store.repairModes
      assert.deepStrictEqual(fixed, [
        { path: "", from: 0o755, to: 0o700 },
        { path: "sessions", from: 0o755, to: 0o700 },
        { path: "sessions/x.json", from: 0o644, to: 0o600 }
      ])
      assert.strictEqual(fs.statSync(path.join(root, "sessions/x.json")).mode & 0o777, 0o600)
      assert.strictEqual(fs.statSync(path.join(root, "sessions")).mode & 0o777, 0o700)
      assert.strictEqual(fs.statSync(root).mode & 0o777, 0o700)
      assert.deepStrictEqual(yield* store.repairModes, [])
    }).pipe(Effect.provide(layerFileSystem(root)))
  })

  it.live("temp files left by a dead writer are never listed and are reported as stale", () => {
    const root = path.join(tempDir(), "home")
    fs.mkdirSync(path.join(root, "inbox/S"), { recursive: true })
    fs.writeFileSync(path.join(root, "inbox/S/.tmp-99-abc"), "partial")
    const old = new Date(Date.now() - 3_600_000)
    fs.utimesSync(path.join(root, "inbox/S/.tmp-99-abc"), old, old)
    return Effect.gen(function* () {
      const store = yield* Store
      assert.deepStrictEqual(yield* store.list("inbox/S"), [])
      assert.deepStrictEqual(yield* store.staleTempFiles(60_000), ["inbox/S/.tmp-99-abc"])
      assert.isTrue(yield* store.remove("inbox/S/.tmp-99-abc"))
      assert.isTrue(Option.isNone(yield* store.read("inbox/S/.tmp-99-abc")))
    }).pipe(Effect.provide(layerFileSystem(root)))
  })
})
