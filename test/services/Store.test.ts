import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { layerMemory } from "../../src/services/store/MemoryStore.js"
import { layerFileSystem } from "../../src/platform/store/FileSystemStore.js"
import * as SpareTempFiles from "../../src/platform/SpareTempFiles.js"
import { tempName } from "../../src/platform/TempFile.js"
import { FILE_MODE, Store, TEMP_PREFIX } from "../../src/services/store/Store.js"
import { type Planter, testStore } from "./storeContract.js"
import { bundleWorker } from "../support/bundleWorker.js"
import type { StoreError } from "../../src/domain/Errors.js"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "sb-store-"))

describe("Store/memory", () => testStore(() => layerMemory))

/** A FIFO, a link, a directory planted where the store would have a file. */
const planter: Planter = {
  fifo: (root, p) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true })
    execFileSync("mkfifo", [path.join(root, p)])
  },
  link: (root, p, target) => {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true })
    fs.mkdirSync(path.dirname(path.resolve(path.dirname(path.join(root, p)), target)), { recursive: true })
    fs.symlinkSync(target, path.join(root, p))
  },
  dir: (root, p) => fs.mkdirSync(path.join(root, p), { recursive: true }),
  outsideFile: (file, text) => {
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, text)
  },
  outsideSnapshot: (dir) =>
    Object.fromEntries(fs.readdirSync(dir).map((n) => [n, fs.readFileSync(path.join(dir, n), "utf8")]))
}

describe("Store/fileSystem", () => {
  testStore(() => layerFileSystem(path.join(tempDir(), "home")), planter)
})

describe("Store/fileSystem, writing into temp files made ahead", () => {
  testStore(
    () =>
      layerFileSystem(path.join(tempDir(), "home"), {
        spares: SpareTempFiles.make({ name: () => tempName(TEMP_PREFIX), mode: FILE_MODE, inBackground: false })
      }),
    planter
  )
})

describe("Store/fileSystem", () => {
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

describe("Store/fileSystem: a home that is not this user's", () => {
  it.live("is refused by reads, listings, writes and repairs alike, with HOME_UNSAFE, and left untouched", () => {
    const root = path.join(tempDir(), "home")
    fs.mkdirSync(path.join(root, "sessions"), { recursive: true })
    fs.writeFileSync(path.join(root, "sessions/x.json"), "{}")
    fs.chmodSync(root, 0o755)
    const someoneElse = (process.getuid?.() ?? 0) + 1
    return Effect.gen(function* () {
      const store = yield* Store
      for (const attempt of [
        store.read("sessions/x.json"),
        store.list("sessions"),
        store.write("sessions/y.json", "{}"),
        store.repairModes
      ]) {
        const error = yield* Effect.flip(attempt as Effect.Effect<unknown, StoreError>)
        assert.deepStrictEqual([error.reason, error.path], ["Unsafe", root])
        assert.include(error.message, `not to this user (uid ${someoneElse})`)
        assert.strictEqual(error.code, "HOME_UNSAFE")
      }
      assert.strictEqual(fs.statSync(root).mode & 0o777, 0o755)
      assert.deepStrictEqual(fs.readdirSync(path.join(root, "sessions")), ["x.json"])
    }).pipe(Effect.provide(layerFileSystem(root, { uid: someoneElse })))
  })

  it.live("a home owned by this user is used as usual", () => {
    const root = path.join(tempDir(), "home")
    return Effect.gen(function* () {
      const store = yield* Store
      yield* store.write("a.json", "{}")
      assert.deepStrictEqual(yield* store.list(""), ["a.json"])
    }).pipe(Effect.provide(layerFileSystem(root, { uid: process.getuid?.() })))
  })
})

describe("Store/fileSystem: modes", () => {
  it.live("reads tighten a loose file and every directory on its way; listings tighten the directory", () => {
    const root = path.join(tempDir(), "home")
    fs.mkdirSync(path.join(root, "inbox/S"), { recursive: true })
    fs.writeFileSync(path.join(root, "inbox/S/m.json"), "{}")
    for (const [p, m] of [
      ["", 0o777],
      ["inbox", 0o777],
      ["inbox/S", 0o755],
      ["inbox/S/m.json", 0o666]
    ] as const)
      fs.chmodSync(path.join(root, p), m)
    return Effect.gen(function* () {
      const store = yield* Store
      assert.isTrue(Option.isSome(yield* store.read("inbox/S/m.json")))
      for (const [p, m] of [
        ["", 0o700],
        ["inbox", 0o700],
        ["inbox/S", 0o700],
        ["inbox/S/m.json", 0o600]
      ] as const)
        assert.strictEqual(fs.statSync(path.join(root, p)).mode & 0o777, m, p)
    }).pipe(Effect.provide(layerFileSystem(root)))
  })

  it("every write path creates exactly 0700 directories and 0600 files under any umask (umask 000 and 277)", () => {
    const worker = bundleWorker("test/support/workers/storeWorker.ts")
    for (const umask of ["000", "277"]) {
      const root = path.join(tempDir(), "home")
      execFileSync("sh", ["-c", `umask ${umask} && exec "${process.execPath}" "${worker}" every-write "${root}"`])
      const modes: Record<string, string> = {}
      const visit = (dir: string) => {
        for (const name of fs.readdirSync(dir)) {
          const file = path.join(dir, name)
          modes[path.relative(root, file)] = (fs.lstatSync(file).mode & 0o777).toString(8)
          if (fs.lstatSync(file).isDirectory()) visit(file)
        }
      }
      visit(root)
      assert.strictEqual((fs.statSync(root).mode & 0o777).toString(8), "700", umask)
      assert.deepStrictEqual(
        modes,
        {
          a: "700",
          "a/b": "700",
          "a/b/write.json": "600",
          "a/b/exclusive.json": "600",
          "a/b/marker": "600",
          "a/b/moved.json": "600",
          "events.log": "600",
          w: "700",
          "w/sub": "700"
        },
        umask
      )
    }
  })
})
