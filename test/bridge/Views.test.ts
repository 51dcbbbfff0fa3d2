import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { HitView, hitView } from "../../src/bridge/Views.js"
import { MessageEnvelope } from "../../src/domain/Records.js"
import { storedJson } from "../domain/envelopeArbitrary.js"

describe("hitView", () => {
  it("gives what encoding HitView gives, field for field and in the same order", () => {
    const decode = Schema.decodeUnknownEither(MessageEnvelope)
    const encode = Schema.encodeSync(HitView)
    let compared = 0
    fc.assert(
      fc.property(storedJson, (u) => {
        const e = decode(u)
        if (Either.isLeft(e)) return
        compared++
        assert.strictEqual(JSON.stringify(hitView(e.right)), JSON.stringify(encode(e.right)))
      }),
      { numRuns: 2000 }
    )
    assert.isAtLeast(compared, 1000)
  })

  it("cuts a body to a 200-character snippet with an ellipsis, and shows a remote origin", () => {
    const decode = Schema.decodeUnknownSync(MessageEnvelope)
    const e = decode(
      fc
        .sample(storedJson, { numRuns: 200, seed: 1 })
        .find((u) => Either.isRight(Schema.decodeUnknownEither(MessageEnvelope)(u)))
    )
    const long = hitView({ ...e, body: "x".repeat(201), origin: "remote" })
    assert.strictEqual(long.snippet, `${"x".repeat(200)}…`)
    assert.strictEqual(long.origin, "remote")
    assert.notProperty(hitView({ ...e, origin: "local" }), "origin")
  })
})
