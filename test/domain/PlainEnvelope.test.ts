import { assert, describe, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as Equal from "effect/Equal"
import * as Schema from "effect/Schema"
import fc from "fast-check"
import { plainEnvelope, plainEnvelopeJson } from "../../src/domain/PlainEnvelope.js"
import { MessageEnvelope } from "../../src/domain/Records.js"
import { storedJson } from "./envelopeArbitrary.js"

const decode = Schema.decodeUnknownEither(MessageEnvelope)
const encode = Schema.encodeSync(MessageEnvelope)

const withTimes = (e: MessageEnvelope) => [e.createdAt, e.expiresAt]

/** The plain decoder gives nothing, or exactly what the schema gives: the same fields, in the same order. */
const agrees = (value: unknown): "plain" | "schema" | "refused" => {
  // What the store decodes is what JSON.parse gave: no undefined, no functions, no cycles.
  const u = JSON.parse(JSON.stringify(value) ?? "null") as unknown
  const quick = plainEnvelope(u)
  const slow = decode(u)
  if (quick === undefined) return Either.isRight(slow) ? "schema" : "refused"
  assert.isTrue(Either.isRight(slow), `the plain decoder took what the schema refuses: ${JSON.stringify(u)}`)
  const viaSchema = Either.getOrThrow(slow)
  assert.strictEqual(JSON.stringify(encode(quick)), JSON.stringify(encode(viaSchema)))
  assert.deepStrictEqual(Object.keys(quick), Object.keys(viaSchema))
  assert.deepStrictEqual(Object.keys(quick.from), Object.keys(viaSchema.from))
  withTimes(quick).forEach((t, i) => assert.isTrue(Equal.equals(t, withTimes(viaSchema)[i])))
  return "plain"
}

const base = {
  v: 1,
  id: "01JABCDEFGHJKMNPQRSTVWXYZ0",
  kind: "channel",
  from: { sessionId: "01JABCDEFGHJKMNPQRSTVWXYZ1", label: "alice", provider: "codex" },
  to: [{ sessionId: "01JABCDEFGHJKMNPQRSTVWXYZ2", label: "bob", contact: "bob@team" }],
  channel: "dev",
  subject: "s",
  body: "b",
  threadId: "01JABCDEFGHJKMNPQRSTVWXYZ0",
  inReplyTo: "01JABCDEFGHJKMNPQRSTVWXYZ4",
  artifacts: ["a".repeat(64)],
  createdAt: "2026-01-02T03:04:05.678Z",
  expiresAt: "2026-01-03T03:04:05.678Z",
  origin: "remote",
  remoteFrom: "carol",
  remoteId: "01JABCDEFGHJKMNPQRSTVWXYZ3"
}

describe("plainEnvelope", () => {
  it("decodes what the schema decodes, field for field, for envelopes the schema allows", () => {
    let plain = 0
    fc.assert(
      fc.property(storedJson, (u) => {
        if (agrees(u) === "plain") plain++
      }),
      { numRuns: 2000 }
    )
    // Times the bridge does not write (other forms, years before 0 or after 9999) are left to the schema.
    assert.isAtLeast(plain, 600)
  })

  it("takes nothing the schema refuses when one field is anything at all, missing, or extra", () => {
    const keys = Object.keys(base)
    fc.assert(
      fc.property(fc.constantFrom(...keys, "from.label", "to.0.provider", "extra"), fc.jsonValue(), (key, value) => {
        const u = structuredClone(base) as Record<string, unknown>
        const [head, ...rest] = key.split(".")
        let at = u
        for (const k of rest.length === 0 ? [] : [head!, ...rest.slice(0, -1)]) at = at[k] as Record<string, unknown>
        at[rest.length === 0 ? head! : rest[rest.length - 1]!] = value
        agrees(u)
        const without = structuredClone(base) as Record<string, unknown>
        delete without[head!]
        agrees(without)
      }),
      { numRuns: 3000 }
    )
  })

  it("is tested with every field the schema names, so a field added to one and not the other is caught", () => {
    const named = Object.keys(MessageEnvelope.fields).sort()
    assert.deepStrictEqual(Object.keys(base).sort(), named)
    const generated = new Set(fc.sample(storedJson, { numRuns: 300, seed: 2 }).flatMap((u) => Object.keys(u)))
    assert.deepStrictEqual([...generated].sort(), named)
  })

  it("takes an envelope as the bridge writes it, and drops fields the schema does not name", () => {
    assert.strictEqual(agrees(base), "plain")
    assert.strictEqual(agrees({ ...base, channel: undefined, expiresAt: undefined }), "plain")
    const extra = { ...base, secret: "x", from: { ...base.from, more: 1 } }
    assert.strictEqual(agrees(extra), "plain")
    assert.notProperty(plainEnvelope(extra), "secret")
    assert.notProperty(plainEnvelope(extra)!.from, "more")
    // Forms the schema takes but the bridge never writes go to the schema.
    assert.strictEqual(agrees({ ...base, createdAt: "2026-01-02T03:04:05Z" }), "schema")
    assert.strictEqual(agrees({ ...base, createdAt: "2026-02-30T00:00:00.000Z" }), "schema")
    assert.strictEqual(agrees({ ...base, kind: "other" }), "refused")
  })

  it("writes an envelope as encoding it gives, field for field and in order, or leaves it to the schema", () => {
    let plain = 0
    fc.assert(
      fc.property(storedJson, (u) => {
        const e = decode(u)
        if (Either.isLeft(e)) return
        const json = plainEnvelopeJson(e.right)
        if (json === undefined) return
        plain++
        assert.strictEqual(JSON.stringify(json), JSON.stringify(encode(e.right)))
      }),
      { numRuns: 2000 }
    )
    assert.isAtLeast(plain, 600)
    // A value that is not an envelope is left to the schema, which refuses it.
    const e = plainEnvelope(base)!
    assert.isUndefined(plainEnvelopeJson({ ...e, channel: "Not A Channel" } as never))
    assert.isUndefined(plainEnvelopeJson({ ...e, id: "x" } as never))
    assert.throws(() => encode({ ...e, id: "x" } as never))
  })
})
