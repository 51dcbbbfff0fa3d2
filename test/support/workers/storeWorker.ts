// A child process that drives the real file-system Store and Lock, for the cross-process contract tests.
import { createInterface } from "node:readline"
import { Effect, Layer } from "effect"
import { layerFileSystem } from "../../../src/platform/store/FileSystemStore.js"
import * as NodeHostEnv from "../../../src/platform/NodeHostEnv.js"
import * as FileLock from "../../../src/services/FileLock.js"
import { Lock } from "../../../src/services/Lock.js"
import { Store } from "../../../src/services/store/Store.js"

const [mode = "", root = "", target = "", arg = ""] = process.argv.slice(2)
const layer = FileLock.layerFile.pipe(Layer.provideMerge(Layer.mergeAll(layerFileSystem(root), NodeHostEnv.layer)))

const program = Effect.gen(function* () {
  const store = yield* Store
  switch (mode) {
    case "create": {
      const created = yield* store.createExclusive(target, `writer-${arg}`)
      process.stdout.write(created ? "won\n" : "lost\n")
      return
    }
    case "write-loop": {
      const big = "x".repeat(4 * 1024 * 1024)
      process.stdout.write("ready\n")
      for (let i = 0; ; i++) yield* store.write(target, `${i}:${big}:${i}`)
    }
    case "lock-increment": {
      const lock = yield* Lock
      for (let i = 0; i < Number(arg); i++) {
        yield* lock.withLock("counter", { timeoutMs: 20_000 })(
          Effect.gen(function* () {
            const current = yield* store.readText(target)
            const n = current._tag === "Some" ? Number(current.value) : 0
            yield* store.write(target, String(n + 1))
          })
        )
      }
      return
    }
    case "stale-race": {
      // For each line n on stdin (sent to every racer at once), appends its name `arg` to the JSON list
      // `<target>-<n>.json` under the lock "members-<n>", which a dead process left behind; says "done <n>".
      const lock = yield* Lock
      const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]()
      process.stdout.write("ready\n")
      for (;;) {
        const line = yield* Effect.promise(() => lines.next())
        if (line.done === true) break
        const n = String(line.value).trim()
        yield* lock.withLock(`members-${n}`, { timeoutMs: 10_000 })(
          Effect.gen(function* () {
            const current = yield* store.readText(`${target}-${n}.json`)
            const list: Array<string> = current._tag === "Some" ? JSON.parse(current.value) : []
            yield* store.write(`${target}-${n}.json`, JSON.stringify([...list, arg]))
          })
        )
        process.stdout.write(`done ${n}\n`)
      }
      return
    }
    case "every-write": {
      // Each way the store creates a file or directory, for the umask test.
      yield* store.write("a/b/write.json", "{}")
      yield* store.createExclusive("a/b/exclusive.json", "{}")
      yield* store.createEmpty("a/b/marker")
      yield* store.append("events.log", "line\n")
      yield* store.write("a/b/to-move.json", "{}")
      yield* store.move("a/b/to-move.json", "a/b/moved.json")
      yield* Effect.scoped(store.subscribe("w/sub", () => undefined))
      return
    }
    case "lock-hold": {
      const lock = yield* Lock
      return yield* lock.withLock("held")(
        Effect.sync(() => process.stdout.write("holding\n")).pipe(Effect.zipRight(Effect.never))
      )
    }
  }
})

Effect.runPromise(Effect.provide(program, layer)).then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(String(error) + "\n")
    process.exit(1)
  }
)
