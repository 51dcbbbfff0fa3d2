import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { requireAccount } from "../../src/cloud/Account.js"
import { CloudHome } from "../../src/cloud/CloudHome.js"
import { rotateIfDue } from "../../src/cloud/KeyRotation.js"
import { RelayClient } from "../../src/cloud/RelayClient.js"
import { DAY } from "../protocol/support.js"
import { befriend, twoHomes } from "./homes.js"

const rotate = (publishedSeq: number) => Effect.flatMap(requireAccount, (a) => rotateIfDue(a, publishedSeq))
const keyIds = Effect.map(
  Effect.flatMap(CloudHome, (h) => h.encryptionKeys),
  (keys) => keys.map((k) => `${k.keyId}@${k.record.seq}`)
)

describe("encryption-key rotation", () => {
  it.scoped("a day before notAfter a new key (seq + 1) is published; the old one is shredded 14 days after", () =>
    Effect.gen(function* () {
      const h = yield* twoHomes
      yield* befriend(h)
      const first = yield* h.bob(rotate(0))
      assert.isFalse(first.rotated)
      assert.strictEqual(first.publishedSeq, 1, "a record the relay already holds counts as published")
      assert.strictEqual((yield* h.bob(rotate(first.publishedSeq))).rotated, false)

      yield* TestClock.adjust(29 * DAY + 1)
      const second = yield* h.bob(rotate(first.publishedSeq))
      assert.isTrue(second.rotated)
      assert.strictEqual(second.seq, 2)
      assert.strictEqual(second.publishedSeq, 2)
      assert.strictEqual((yield* h.bob(keyIds)).length, 2, "the old key is kept for mail in flight")
      // alice now sees bob's new record at the relay, signed by his pinned key.
      const listed = yield* h.alice(
        Effect.flatMap(requireAccount, (a) => Effect.flatMap(RelayClient, (r) => r.contacts(a.credentials.token)))
      )
      assert.strictEqual(listed.find((c) => c.handle === "bob")!.ek!.keyId, second.keyId)

      yield* TestClock.adjust(16 * DAY)
      const third = yield* h.bob(rotate(second.publishedSeq))
      assert.isFalse(third.rotated)
      assert.strictEqual(third.shredded.length, 1)
      assert.deepStrictEqual(yield* h.bob(keyIds), [`${second.keyId}@2`])
    })
  )
})
