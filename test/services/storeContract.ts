import { assert, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Exit, Fiber, Layer, Option, Stream } from "effect"
import { Store, type StoreChange } from "../../src/services/Store.js"
import { watch } from "../../src/services/StoreWatch.js"

const text = (o: Option.Option<Uint8Array>) => Option.map(o, (b) => new TextDecoder().decode(b))

/** The behaviour every Store layer must have. `make` builds a fresh store per test. */
export const testStore = (make: () => Layer.Layer<Store>) => {
  const run = <A, E>(effect: Effect.Effect<A, E, Store>) => Effect.provide(effect, make())

  it.live("write then read round-trips bytes and text", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        yield* store.write("a/b/c.json", '{"x":1}')
        assert.deepStrictEqual(yield* store.readText("a/b/c.json"), Option.some('{"x":1}'))
        const bytes = new Uint8Array([0, 255, 1, 2])
        yield* store.write("bin/x.bin", bytes)
        const back = yield* store.read("bin/x.bin")
        assert.deepStrictEqual(
          Option.map(back, (b) => Array.from(b)),
          Option.some([0, 255, 1, 2])
        )
      })
    )
  )

  it.live("readTexts reads several files in order, none for missing ones, and refuses a hostile path", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        yield* store.write("many/a.json", "A")
        yield* store.write("many/c.json", "C é")
        assert.deepStrictEqual(yield* store.readTexts(["many/c.json", "many/b.json", "many/a.json"]), [
          Either.right(Option.some("C é")),
          Either.right(Option.none()),
          Either.right(Option.some("A"))
        ])
        assert.deepStrictEqual(yield* store.readTexts([]), [])
        const error = yield* Effect.flip(store.readTexts(["many/a.json", "../escape"]))
        assert.strictEqual(error.reason, "InvalidPath")
      })
    )
  )

  it.live("missing files read as none and list as empty", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        assert.isTrue(Option.isNone(yield* store.read("nope/x.json")))
        assert.deepStrictEqual(yield* store.list("nope"), [])
        assert.isTrue(Option.isNone(yield* store.stat("nope/x.json")))
        assert.isFalse(yield* store.remove("nope/x.json"))
      })
    )
  )

  it.live("write replaces; createExclusive never overwrites", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        assert.isTrue(yield* store.createExclusive("m/1.json", "first"))
        assert.isFalse(yield* store.createExclusive("m/1.json", "second"))
        assert.deepStrictEqual(text(yield* store.read("m/1.json")), Option.some("first"))
        yield* store.write("m/1.json", "third")
        assert.deepStrictEqual(text(yield* store.read("m/1.json")), Option.some("third"))
      })
    )
  )

  it.live("concurrent createExclusive on one name: exactly one wins", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        const results = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => i),
          (i) => store.createExclusive("race/x.json", `writer-${i}`),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter((r) => r).length, 1)
        const winner = results.indexOf(true)
        assert.deepStrictEqual(text(yield* store.read("race/x.json")), Option.some(`writer-${winner}`))
      })
    )
  )

  it.live("createEmpty makes an empty file once and never overwrites", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        assert.isTrue(yield* store.createEmpty("marks/read/1"))
        assert.isFalse(yield* store.createEmpty("marks/read/1"))
        assert.deepStrictEqual(text(yield* store.read("marks/read/1")), Option.some(""))
        yield* store.write("marks/read/2", "kept")
        assert.isFalse(yield* store.createEmpty("marks/read/2"))
        assert.deepStrictEqual(text(yield* store.read("marks/read/2")), Option.some("kept"))
        assert.deepStrictEqual(yield* store.list("marks/read"), ["1", "2"])
        const results = yield* Effect.forEach(
          Array.from({ length: 20 }, (_, i) => i),
          () => store.createEmpty("marks/race"),
          { concurrency: "unbounded" }
        )
        assert.strictEqual(results.filter((r) => r).length, 1)
        const bad = yield* Effect.flip(store.createEmpty("../escape"))
        assert.strictEqual(bad._tag, "StoreError")
      })
    )
  )

  it.live("list is sorted, one level, and hides temp files", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        yield* store.write("d/b.json", "1")
        yield* store.write("d/a.json", "1")
        yield* store.write("d/sub/c.json", "1")
        assert.deepStrictEqual(yield* store.list("d"), ["a.json", "b.json", "sub"])
        assert.isTrue((yield* store.list("")).includes("d"))
      })
    )
  )

  it.live("append accumulates lines", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        yield* store.append("events.log", "one\n")
        yield* store.append("events.log", "two\n")
        assert.deepStrictEqual(text(yield* store.read("events.log")), Option.some("one\ntwo\n"))
      })
    )
  )

  it.live("move, remove and removeTree", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        yield* store.write("x/1.json", "1")
        yield* store.move("x/1.json", "y/z/1.json")
        assert.isTrue(Option.isNone(yield* store.read("x/1.json")))
        assert.deepStrictEqual(text(yield* store.read("y/z/1.json")), Option.some("1"))
        const missing = yield* Effect.flip(store.move("x/none.json", "y/none.json"))
        assert.strictEqual(missing.reason, "NotFound")
        assert.isTrue(yield* store.remove("y/z/1.json"))
        yield* store.write("t/a/b.json", "1")
        yield* store.removeTree("t")
        assert.deepStrictEqual(yield* store.list("t"), [])
      })
    )
  )

  it.live("stat reports size and file modes of 0600", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        yield* store.write("s/f.json", "hello")
        const st = Option.getOrThrow(yield* store.stat("s/f.json"))
        assert.strictEqual(st.size, 5)
        assert.strictEqual(st.mode, 0o600)
        assert.isFalse(st.isDirectory)
      })
    )
  )

  it.live("hostile paths are refused with InvalidPath and touch nothing", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        for (const path of ["../escape.json", "/etc/passwd", "a/../../b", "a/\u0000b", "a//b", "", "a/./b", "a\\b/c"]) {
          const error = yield* Effect.flip(store.write(path, "x"))
          assert.strictEqual(error.reason, "InvalidPath", path)
          const readError = yield* Effect.flip(store.read(path))
          assert.strictEqual(readError.reason, "InvalidPath", path)
        }
        assert.deepStrictEqual(yield* store.list(""), [])
      })
    )
  )

  it.live("a subscription is live when it returns and ends with its scope", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        const seen: Array<StoreChange> = []
        const landed = yield* Deferred.make<void>()
        yield* Effect.scoped(
          Effect.gen(function* () {
            yield* store.subscribe("inbox/T", (change) => {
              seen.push(change)
              if (change.name === "m1.json") Deferred.unsafeDone(landed, Exit.void)
            })
            // No pause: a file written once subscribe has returned is seen.
            yield* store.write("inbox/T/m1.json", "{}")
            yield* Deferred.await(landed).pipe(Effect.timeout("5 seconds"))
          })
        )
        assert.deepInclude(seen, { dir: "inbox/T", name: "m1.json" })
        yield* store.write("inbox/T/m2.json", "{}")
        yield* Effect.sleep("100 millis")
        assert.notDeepInclude(seen, { dir: "inbox/T", name: "m2.json" })
      })
    )
  )

  it.live("watch sees a file landing in a directory", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        const fiber = yield* watch(store, "inbox/S").pipe(
          Stream.filter((c) => c.name === "m1.json"),
          Stream.take(1),
          Stream.runCollect,
          Effect.fork
        )
        yield* Effect.sleep("50 millis")
        yield* store.write("inbox/S/m1.json", "{}")
        const seen = yield* Fiber.join(fiber).pipe(Effect.timeout("5 seconds"))
        assert.deepStrictEqual(Chunk.toReadonlyArray(seen), [{ dir: "inbox/S", name: "m1.json" }])
      })
    )
  )
}
