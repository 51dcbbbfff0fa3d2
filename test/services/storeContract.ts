import { assert, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Exit, Fiber, Layer, Option, Stream } from "effect"
import type { StoreError } from "../../src/domain/Errors.js"
import { MAX_RECORD_BYTES, Store, type StoreChange } from "../../src/services/store/Store.js"
import { watch } from "../../src/services/store/StoreWatch.js"

const text = (o: Option.Option<Uint8Array>) => Option.map(o, (b) => new TextDecoder().decode(b))

/**
 * Plants what no store write makes (a FIFO, a link, a directory where a file belongs) at a store path; only a
 * layer on real files can have them.
 */
export interface Planter {
  readonly fifo: (root: string, path: string) => void
  readonly link: (root: string, path: string, target: string) => void
  readonly dir: (root: string, path: string) => void
  /** Writes a file outside the store (an absolute path, its directory created). */
  readonly outsideFile: (file: string, text: string) => void
  /** The entries of an outside directory, with their text: what a store call must not have touched. */
  readonly outsideSnapshot: (dir: string) => Record<string, string>
}

/** The behaviour every Store layer must have. `make` builds a fresh store per test. */
export const testStore = (make: () => Layer.Layer<Store>, plant?: Planter) => {
  const run = <A, E>(effect: Effect.Effect<A, E, Store>) => Effect.provide(effect, make())

  it.live("a record over MAX_RECORD_BYTES is refused, naming it, and the others still read", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        const big = "x".repeat(MAX_RECORD_BYTES + 1)
        yield* store.write("box/a.json", big)
        yield* store.write("box/b.json", "B")
        const [a, b, c] = yield* store.readTexts(["box/a.json", "box/b.json", "box/c.json"])
        assert.isTrue(Either.isLeft(a!) && a.left.reason === "Unsafe" && a.left.path === "box/a.json")
        assert.deepStrictEqual([b, c], [Either.right(Option.some("B")), Either.right(Option.none())])
        const alone = yield* Effect.flip(store.readText("box/a.json"))
        assert.deepStrictEqual([alone.reason, alone.path], ["Unsafe", "box/a.json"])
        // A caller that allows more (an artifact) reads it; readHead reads only what it is asked for.
        assert.strictEqual(Option.getOrThrow(yield* store.read("box/a.json", 2 * MAX_RECORD_BYTES)).length, big.length)
        const head = Option.getOrThrow(yield* store.readHead("box/a.json", 4))
        assert.deepStrictEqual([new TextDecoder().decode(head.bytes), head.size], ["xxxx", big.length])
        assert.isTrue(Option.isNone(yield* store.readHead("box/none.json", 4)))
      })
    )
  )

  if (plant !== undefined) {
    it.live(
      "a FIFO, a link (to /dev/zero, to a file, a loop) or a directory named like a record is refused at once, naming it",
      () =>
        run(
          Effect.gen(function* () {
            const store = yield* Store
            yield* store.write("box/ok.json", "fine")
            plant.fifo(store.root, "box/fifo.json")
            plant.link(store.root, "box/zero.json", "/dev/zero")
            plant.link(store.root, "box/ok-link.json", "ok.json")
            plant.link(store.root, "box/loop.json", "loop.json")
            plant.dir(store.root, "box/dir.json")
            const bad = ["box/fifo.json", "box/zero.json", "box/ok-link.json", "box/loop.json", "box/dir.json"]
            const started = Date.now()
            const texts = yield* store.readTexts([...bad, "box/ok.json"])
            for (const [i, path] of bad.entries()) {
              const t = texts[i]!
              assert.isTrue(Either.isLeft(t) && t.left.reason === "Unsafe" && t.left.path === path, path)
              const alone = yield* Effect.flip(store.read(path))
              assert.deepStrictEqual([alone.reason, alone.path], ["Unsafe", path])
              assert.isTrue(Either.isLeft(yield* Effect.either(store.readHead(path, 10))), path)
            }
            assert.deepStrictEqual(texts[bad.length], Either.right(Option.some("fine")))
            assert.isBelow(Date.now() - started, 2_000)
            // stat never follows a link either: a link is neither a file nor a directory.
            const st = Option.getOrThrow(yield* store.stat("box/zero.json"))
            assert.deepStrictEqual([st.isFile, st.isDirectory], [false, false])
            // What is refused can still be moved aside (quarantine renames the entry itself).
            yield* store.move("box/fifo.json", "quarantine/fifo.json")
            assert.deepStrictEqual(yield* store.list("quarantine"), ["fifo.json"])
          })
        )
    )

    it.live("createExclusiveAll that fails on a later file leaves none of the earlier ones", () =>
      run(
        Effect.gen(function* () {
          const store = yield* Store
          const outside = store.root + "-outside-all"
          plant.outsideFile(outside + "/victim.txt", "secret\n")
          plant.link(store.root, "outbox", outside)
          const error = yield* Effect.flip(
            store.createExclusiveAll([
              { path: "sent/S/1.json", data: "copy" },
              { path: "refs/1.json", data: "ref" },
              { path: "outbox/1.json", data: "queued" }
            ])
          )
          assert.strictEqual(error.reason, "Unsafe")
          assert.deepStrictEqual(yield* store.list("sent/S"), [])
          assert.deepStrictEqual(yield* store.list("refs"), [])
          assert.deepStrictEqual(plant.outsideSnapshot(outside), { "victim.txt": "secret\n" })
        })
      )
    )

    it.live("a link on a directory of the path is refused: nothing is read, listed or written through it", () =>
      run(
        Effect.gen(function* () {
          const store = yield* Store
          const outside = store.root + "-outside"
          plant.outsideFile(outside + "/victim.txt", "secret\n")
          yield* store.write("inbox/real/m.json", "{}")
          plant.link(store.root, "inbox/S", outside)
          plant.link(store.root, "events.log", outside + "/victim.txt")
          for (const attempt of [
            store.write("inbox/S/m.json", "{}"),
            store.createExclusive("inbox/S/m2.json", "{}"),
            store.createEmpty("inbox/S/mark"),
            store.list("inbox/S"),
            store.read("inbox/S/m.json"),
            store.stat("inbox/S/m.json"),
            store.append("events.log", "line\n")
          ]) {
            const error = yield* Effect.flip(attempt as Effect.Effect<unknown, StoreError>)
            assert.strictEqual(error.reason, "Unsafe")
            assert.include(["inbox/S", "events.log"], error.path)
          }
          assert.deepStrictEqual(yield* store.list("inbox"), ["S", "real"])
          assert.deepStrictEqual(plant.outsideSnapshot(outside), { "victim.txt": "secret\n" })
        })
      )
    )
  }

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

  it.live("createExclusiveAll creates in turn and stops at the first name taken", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        const all = yield* store.createExclusiveAll([
          { path: "a/1.json", data: "one" },
          { path: "b/c/2.json", data: new TextEncoder().encode("two") }
        ])
        assert.deepStrictEqual(all, [true, true])
        assert.deepStrictEqual(text(yield* store.read("a/1.json")), Option.some("one"))
        assert.deepStrictEqual(text(yield* store.read("b/c/2.json")), Option.some("two"))
        const stopped = yield* store.createExclusiveAll([
          { path: "a/3.json", data: "three" },
          { path: "b/c/2.json", data: "replaced?" },
          { path: "a/4.json", data: "four" }
        ])
        assert.deepStrictEqual(stopped, [true, false])
        assert.deepStrictEqual(text(yield* store.read("b/c/2.json")), Option.some("two"))
        assert.isTrue(Option.isNone(yield* store.read("a/4.json")))
        assert.deepStrictEqual(yield* store.createExclusiveAll([]), [])
      })
    )
  )

  it.live("createExclusiveAll with one hostile path writes nothing at all", () =>
    run(
      Effect.gen(function* () {
        const store = yield* Store
        const result = yield* Effect.either(
          store.createExclusiveAll([
            { path: "ok/1.json", data: "one" },
            { path: "../escape.json", data: "two" }
          ])
        )
        assert.isTrue(Either.isLeft(result))
        assert.deepStrictEqual(yield* store.list("ok"), [])
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
