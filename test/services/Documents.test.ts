import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option, Schema } from "effect"
import { layerFileSystem } from "../../src/platform/store/FileSystemStore.js"
import { createJson, readAllJson, readJson, readJsonsIn, writeJson } from "../../src/services/store/Documents.js"
import { layerMemory } from "../../src/services/store/MemoryStore.js"
import { Store } from "../../src/services/store/Store.js"

const Note = Schema.Struct({ v: Schema.Literal(1), text: Schema.String })

const suite = (make: () => Layer.Layer<Store>) => {
  it.effect("a record round-trips through its schema", () =>
    Effect.gen(function* () {
      yield* writeJson("notes/a.json", Note, { v: 1 as const, text: "hi" })
      assert.deepStrictEqual(yield* readJson("notes/a.json", Note), Option.some({ v: 1 as const, text: "hi" }))
      assert.isFalse(yield* createJson("notes/a.json", Note, { v: 1 as const, text: "other" }))
    }).pipe(Effect.provide(make()))
  )

  it.effect("a corrupt JSON file is quarantined and logged, and the read goes on", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* writeJson("notes/good.json", Note, { v: 1 as const, text: "ok" })
      yield* store.write("notes/bad.json", "{not json")
      yield* store.write("notes/wrong.json", JSON.stringify({ v: 2, text: 5 }))
      const all = yield* readAllJson("notes", Note)
      assert.deepStrictEqual(all, [{ v: 1, text: "ok" }])
      assert.deepStrictEqual(yield* store.list("notes"), ["good.json"])
      const quarantined = yield* store.list("quarantine")
      assert.strictEqual(quarantined.length, 2)
      assert.isTrue(quarantined.some((n) => n.endsWith("notes__bad.json")))
      const log = Option.getOrThrow(yield* store.readText("events.log"))
      const events = log
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l))
      assert.deepStrictEqual(
        events.map((e) => e.event),
        ["quarantined", "quarantined"]
      )
      assert.isTrue(events.some((e) => e.data.path === "notes/bad.json"))
      // The quarantined bytes are kept, not lost.
      const kept = yield* store.readText(`quarantine/${quarantined.find((n) => n.endsWith("notes__bad.json"))}`)
      assert.deepStrictEqual(kept, Option.some("{not json"))
    }).pipe(Effect.provide(make()))
  )

  it.effect("several records read at once: in order, missing and corrupt ones as none, corrupt ones quarantined", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* writeJson("notes/one.json", Note, { v: 1 as const, text: "one" })
      yield* store.write("notes/bad.json", "{not json")
      const read = yield* readJsonsIn(store, ["notes/bad.json", "notes/none.json", "notes/one.json"], Note)
      assert.deepStrictEqual(read, [Option.none(), Option.none(), Option.some({ v: 1 as const, text: "one" })])
      assert.deepStrictEqual(yield* store.list("notes"), ["one.json"])
      assert.strictEqual((yield* store.list("quarantine")).length, 1)
    }).pipe(Effect.provide(make()))
  )

  it.effect("a quarantined record's content never reaches the event log, only where and what kind the problem is", () =>
    Effect.gen(function* () {
      const store = yield* Store
      yield* store.write("notes/a.json", "root:x:0:0:SECRET-ONE")
      yield* store.write("notes/b.json", JSON.stringify({ v: 1, text: { secret: "SECRET-TWO" } }))
      yield* store.write("notes/c.json", JSON.stringify({ v: "SECRET-THREE", text: "t" }))
      assert.deepStrictEqual(yield* readJsonsIn(store, ["notes/a.json", "notes/b.json"], Note), [
        Option.none(),
        Option.none()
      ])
      assert.isTrue(Option.isNone(yield* readJson("notes/c.json", Note)))
      const log = Option.getOrThrow(yield* store.readText("events.log"))
      assert.notInclude(log, "SECRET")
      const reasons = log
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).data.reason)
      assert.deepStrictEqual(reasons, ["not JSON", "Type at text", "Type at v"])
    }).pipe(Effect.provide(make()))
  )
}

describe("Documents/memory", () => suite(() => layerMemory))
describe("Documents/fileSystem", () =>
  suite(() => layerFileSystem(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sb-docs-")), "home"))))
