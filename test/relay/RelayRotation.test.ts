import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { toBase64Url } from "../../src/protocol/Bytes.js"
import { generateEncryptionKey, generateIdentity } from "../../src/protocol/Keys.js"
import { makeRotation } from "../../src/protocol/Statements.js"
import { call, invite, type Member, redeem, register, type Relay, run, startPair, stopRelay } from "./relayProcess.js"

const DAY = 86_400_000
const b64 = (bytes: Uint8Array) => toBase64Url(bytes)

/** A rotation statement from the member's identity key to a new one, and an EK record (seq 2) the new key signed. */
const rotationBody = (member: Member, seq = 2) =>
  run(
    Effect.gen(function* () {
      const next = yield* generateIdentity
      const rotation = yield* makeRotation(member.identity, next)
      const ek = yield* generateEncryptionKey(next, {
        keyId: `ek_r${seq}`,
        notBefore: Date.now() - 1000,
        notAfter: Date.now() + 30 * DAY,
        seq
      })
      return {
        next,
        body: {
          rotation: {
            oldIk: b64(rotation.oldIk),
            newIk: b64(rotation.newIk),
            ts: rotation.ts,
            sigOld: b64(rotation.sigOld),
            sigNew: b64(rotation.sigNew)
          },
          ek: { ...ek.record, pub: b64(ek.record.pub), sig: b64(ek.record.sig) }
        }
      }
    })
  )

/** Token rotation, identity rotation and invite withdrawal through a real relay process (SQLite). */
describe("relay HTTP: rotation and withdrawn invites", () => {
  let relay: Relay
  let url: string
  let alice: Member
  let bob: Member

  beforeAll(async () => {
    ;({ relay, url, alice, bob } = await startPair("sb-relay-rot-", "alice", "bob"))
  })
  afterAll(async () => {
    if (relay) assert.strictEqual(await stopRelay(relay), 0)
  })

  it("POST /v1/token/rotate: the old token is 401 at once, the new one works, a replay is 401", async () => {
    const member = await register(url, "rot")
    const fresh = b64(crypto.getRandomValues(new Uint8Array(32)))
    const rotated = await call(url, "POST", "/v1/token/rotate", { token: member.token, body: { token: fresh } })
    assert.strictEqual(rotated.status, 200)
    assert.deepStrictEqual(rotated.body, { rotated: true })
    const old = await call(url, "GET", "/v1/account", { token: member.token })
    assert.strictEqual(old.status, 401)
    assert.strictEqual(old.body.code, "RELAY_AUTH")
    const now = await call(url, "GET", "/v1/account", { token: fresh })
    assert.strictEqual(now.status, 200)
    assert.strictEqual(now.body.handle, member.handle)
    const replay = await call(url, "POST", "/v1/token/rotate", { token: member.token, body: { token: fresh } })
    assert.strictEqual(replay.status, 401)
    // A token that is not 32 bytes is refused, and the live token stays live.
    const short = await call(url, "POST", "/v1/token/rotate", { token: fresh, body: { token: b64(new Uint8Array(8)) } })
    assert.strictEqual(short.status, 400)
    assert.strictEqual(short.body.code, "INVALID_ARGUMENT")
    // Reusing the live token as the new one is refused (already stored), nothing revoked.
    const same = await call(url, "POST", "/v1/token/rotate", { token: fresh, body: { token: fresh } })
    assert.strictEqual(same.status, 400)
    assert.strictEqual((await call(url, "GET", "/v1/account", { token: fresh })).status, 200)
  })

  it("POST /v1/account/identity: the contact sees the new key, its EK and the statement; a retry is a duplicate", async () => {
    const { next, body } = await rotationBody(alice)
    const done = await call(url, "POST", "/v1/account/identity", { token: alice.token, body })
    assert.strictEqual(done.status, 200)
    assert.deepStrictEqual(done.body, { rotated: true, duplicate: false })
    const again = await call(url, "POST", "/v1/account/identity", { token: alice.token, body })
    assert.strictEqual(again.status, 200)
    assert.deepStrictEqual(again.body, { rotated: true, duplicate: true })
    const contacts = await call(url, "GET", "/v1/contacts", { token: bob.token })
    const row = contacts.body.contacts.find((c: { handle: string }) => c.handle === alice.handle)
    assert.strictEqual(row.ikPub, b64(next.publicKey))
    assert.strictEqual(row.ek.seq, 2)
    const listed = await call(url, "GET", "/v1/identity-rotations", { token: bob.token })
    assert.strictEqual(listed.status, 200)
    assert.strictEqual(listed.body.rotations.length, 1)
    assert.deepInclude(listed.body.rotations[0], { accountId: alice.accountId, ...body.rotation })
    // A stranger (no contact of alice) is not shown her statement.
    const stranger = await register(url, "stranger")
    const none = await call(url, "GET", "/v1/identity-rotations", { token: stranger.token })
    assert.deepStrictEqual(none.body, { rotations: [] })
    alice = { ...alice, identity: next }
  })

  it("a statement not signed by the account's key, or signed by another, is 400 ROTATION_INVALID", async () => {
    const member = await register(url, "forge")
    const other = await register(url, "other")
    // Signed by other's key, presented with member's token: does not start from member's key.
    const { body } = await rotationBody(other)
    const forged = await call(url, "POST", "/v1/account/identity", { token: member.token, body })
    assert.strictEqual(forged.status, 400)
    assert.strictEqual(forged.body.code, "ROTATION_INVALID")
    // Starts from member's key, but the new key's signature is another's.
    const real = await rotationBody(member)
    const tampered = { ...real.body, rotation: { ...real.body.rotation, sigNew: real.body.rotation.sigOld } }
    const bad = await call(url, "POST", "/v1/account/identity", { token: member.token, body: tampered })
    assert.strictEqual(bad.status, 400)
    assert.strictEqual(bad.body.code, "ROTATION_INVALID")
    // An EK record signed by the old key, not the new one.
    const wrongEk = { ...real.body, ek: { ...real.body.ek, sig: b64(new Uint8Array(64)) } }
    const ek = await call(url, "POST", "/v1/account/identity", { token: member.token, body: wrongEk })
    assert.strictEqual(ek.status, 400)
    assert.strictEqual(ek.body.code, "KEY_RECORD_INVALID")
    const account = await call(url, "GET", "/v1/contacts", { token: member.token })
    assert.strictEqual(account.status, 200)
    assert.strictEqual(
      (await call(url, "GET", "/v1/identity-rotations", { token: other.token })).body.rotations.length,
      0
    )
  })

  it("DELETE /v1/invites/{id}: a withdrawn invite is INVITE_INVALID to look up and to redeem", async () => {
    const inv = await invite(url, bob)
    const withdrawn = await call(url, "DELETE", `/v1/invites/${inv.id}`, { token: bob.token })
    assert.strictEqual(withdrawn.status, 200)
    assert.deepStrictEqual(withdrawn.body, { revoked: true })
    const carol = await register(url, "carol")
    const redeemed = await redeem(url, carol, inv)
    assert.strictEqual(redeemed.status, 404)
    assert.strictEqual(redeemed.body.code, "INVITE_INVALID")
    const twice = await call(url, "DELETE", `/v1/invites/${inv.id}`, { token: bob.token })
    assert.strictEqual(twice.status, 404)
    assert.strictEqual(twice.body.code, "INVITE_INVALID")
  })
})
