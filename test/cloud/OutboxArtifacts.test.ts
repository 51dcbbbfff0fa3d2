import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { randomBytes } from "node:crypto"
import type { OutboxEntry } from "../../src/cloud/CloudState.js"
import { uploadArtifacts } from "../../src/cloud/OutboxArtifacts.js"
import { sha256Hex } from "../../src/bridge/Hash.js"
import { Layout } from "../../src/domain/Layout.js"
import { MAX_ARTIFACT_BYTES } from "../../src/protocol/ArtifactCipher.js"
import { Store } from "../../src/services/store/Store.js"
import { cloudLayer, freshStore, makeFakeRelay, setupBob, T0 } from "./support.js"

/** A queued entry naming the artifacts already in the store. */
const entryWith = (artifacts: NonNullable<OutboxEntry["artifacts"]>): OutboxEntry =>
  ({
    v: 1,
    id: "01JQ0000000000000000000000",
    contact: "alice",
    to: { any: true },
    subject: "s",
    body: "",
    createdAt: T0,
    state: "queued",
    attempts: 0,
    nextAttemptAt: T0,
    updatedAt: T0,
    artifacts
  }) as unknown as OutboxEntry

const plant = (bytes: Uint8Array) =>
  Effect.gen(function* () {
    const sha256 = yield* sha256Hex(bytes)
    yield* (yield* Store).write(Layout.artifactBytes(sha256), bytes)
    return { sha256, size: bytes.length, mime: "application/octet-stream" }
  })

describe("outbox artifacts", () => {
  it.effect("an artifact larger than a store record (up to the 10 MiB cap) is read whole and uploaded", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const relay = makeFakeRelay()
      yield* Effect.gen(function* () {
        const f = yield* setupBob(relay)
        const at = yield* plant(randomBytes(MAX_ARTIFACT_BYTES))
        const small = yield* plant(randomBytes(3))
        const outcome = yield* uploadArtifacts(f.credentials.token, entryWith([at, small]), f.alice.accountId)
        assert.strictEqual(outcome._tag, "ready")
        if (outcome._tag !== "ready") return
        assert.deepStrictEqual(
          outcome.refs.map((r) => [r.sha256, r.size]),
          [
            [at.sha256, MAX_ARTIFACT_BYTES],
            [small.sha256, 3]
          ]
        )
      }).pipe(Effect.provide(cloudLayer(yield* freshStore, relay)))
    })
  )

  it.effect("one over the cap is refused as too large at once, not retried", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(T0)
      const relay = makeFakeRelay()
      yield* Effect.gen(function* () {
        const f = yield* setupBob(relay)
        const over = yield* plant(new Uint8Array(MAX_ARTIFACT_BYTES + 1))
        const outcome = yield* uploadArtifacts(f.credentials.token, entryWith([over]), f.alice.accountId)
        assert.deepStrictEqual(outcome, { _tag: "refused", reason: "too_large" })
      }).pipe(Effect.provide(cloudLayer(yield* freshStore, relay)))
    })
  )
})
