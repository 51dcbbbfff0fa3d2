import { assert, describe, it } from "@effect/vitest"
import { Effect, Exit, Layer, Option, Schema, TestClock } from "effect"
import * as CloudHome from "../../src/cloud/CloudHome.js"
import { CloudLayout } from "../../src/cloud/CloudLayout.js"
import { DaemonPid } from "../../src/cloud/CloudState.js"
import { claimDaemonPid } from "../../src/cloud/DaemonPid.js"
import { layerSeeded } from "../../src/platform/NodeCloudCrypto.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Lock from "../../src/services/Lock.js"
import { makeMemory } from "../../src/services/store/MemoryStore.js"
import { Store, type StoreShape } from "../../src/services/store/Store.js"
import { T0 } from "../protocol/support.js"

/** A process on a shared memory home: its own pid, and which other pids are alive. */
const asProcess = (store: StoreShape, pid: number, alivePids: ReadonlyArray<number>) =>
  CloudHome.layer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        Layer.succeed(Store, store),
        Lock.layerMemory,
        HostEnv.layerMemory({ pid, alivePids }),
        layerSeeded("pid")
      )
    )
  )

const pidFile = (store: StoreShape) =>
  Effect.map(store.readText(CloudLayout.daemonPid), (t) =>
    Option.map(t, (text) => Schema.decodeUnknownSync(Schema.parseJson(DaemonPid))(text).pid)
  )

describe("one daemon per home", () => {
  it.effect("a second daemon is refused while the first lives; its pid file goes when it stops", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const store = yield* makeMemory
      yield* Effect.scoped(
        Effect.gen(function* () {
          const claimed = yield* claimDaemonPid.pipe(Effect.provide(asProcess(store, 100, [200])))
          assert.strictEqual(claimed.pid, 100)
          assert.deepStrictEqual(yield* pidFile(store), Option.some(100))
          const second = yield* Effect.exit(
            Effect.scoped(claimDaemonPid).pipe(Effect.provide(asProcess(store, 200, [100])))
          )
          assert.isTrue(Exit.isFailure(second))
          const error = Exit.isFailure(second) ? Option.getOrThrow(Exit.causeOption(second)) : undefined
          assert.include(JSON.stringify(error), "DaemonRunning")
          assert.deepStrictEqual(yield* pidFile(store), Option.some(100), "the first daemon's claim stands")
        })
      )
      assert.deepStrictEqual(yield* pidFile(store), Option.none(), "released on stop")
    })
  )

  it.effect("a pid file whose process is gone is taken over", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const store = yield* makeMemory
      yield* store.write(CloudLayout.daemonPid, JSON.stringify({ pid: 300, startedAt: T0 - 1000 }))
      yield* Effect.scoped(
        Effect.gen(function* () {
          const claimed = yield* claimDaemonPid.pipe(Effect.provide(asProcess(store, 100, [])))
          assert.strictEqual(claimed.pid, 100)
          assert.deepStrictEqual(yield* pidFile(store), Option.some(100))
        })
      )
    })
  )
})
