import { assert, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import { relayErrorCode } from "../../src/relay/RelayErrors.js"
import { RelayStore } from "../../src/relay/RelayStore.js"
import { account, befriend, bytes, type Opener } from "./relayStoreContract.js"

const codeOf = <A, E extends Parameters<typeof relayErrorCode>[0]>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), Either.match({ onLeft: relayErrorCode, onRight: () => "ok" as string }))

const same = (a: Uint8Array, b: Uint8Array) => assert.deepStrictEqual(Array.from(a), Array.from(b))

/** Token and identity rotation, on every RelayStore layer. */
export const testRelayStoreRotations = (fresh: () => Opener) => {
  const run = <A, E>(effect: Effect.Effect<A, E, RelayStore>) => Effect.provide(effect, fresh()())

  it.live("a token rotation stores the new hash and revokes the old one in one step; a replay is refused", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const alice = yield* account(store, "alice")
        const bob = yield* account(store, "bob")
        const [old, next, other] = [bytes(32), bytes(32), bytes(32)]
        yield* store.insertToken(alice.id, old)
        yield* store.insertToken(bob.id, other)
        // The message routes' lookup (cached where the store caches tokens) knows the old token before the rotation,
        assert.strictEqual(yield* store.accountIdForToken(old), alice.id)
        assert.isTrue(yield* store.rotateToken({ accountId: alice.id, oldTokenHash: old, newTokenHash: next }))
        assert.strictEqual(yield* codeOf(store.accountForToken(old)), "RELAY_AUTH")
        // and refuses it at once after.
        assert.strictEqual(yield* codeOf(store.accountIdForToken(old)), "RELAY_AUTH")
        assert.strictEqual((yield* store.accountForToken(next)).id, alice.id)
        // The same request again (a retry after the commit): the old token is no longer live, nothing changes.
        const again = bytes(32)
        assert.strictEqual(
          yield* codeOf(store.rotateToken({ accountId: alice.id, oldTokenHash: old, newTokenHash: again })),
          "RELAY_AUTH"
        )
        assert.strictEqual(yield* codeOf(store.accountForToken(again)), "RELAY_AUTH")
        // A new hash already stored (here bob's): false, and alice's live token stays live.
        assert.isFalse(yield* store.rotateToken({ accountId: alice.id, oldTokenHash: next, newTokenHash: other }))
        assert.strictEqual((yield* store.accountForToken(next)).id, alice.id)
        assert.strictEqual((yield* store.accountForToken(other)).id, bob.id)
        // Another account's token cannot be rotated away.
        assert.strictEqual(
          yield* codeOf(store.rotateToken({ accountId: alice.id, oldTokenHash: other, newTokenHash: bytes(32) })),
          "RELAY_AUTH"
        )
        assert.strictEqual((yield* store.accountForToken(other)).id, bob.id)
        assert.include(
          (yield* store.listAudit(10)).map((e) => e.event),
          "token_rotated"
        )
      })
    )
  )

  it.live("an identity rotation swaps the key and the EK record once; contacts list the statement", () =>
    run(
      Effect.gen(function* () {
        const store = yield* RelayStore
        const alice = yield* account(store, "alice")
        const bob = yield* account(store, "bob")
        const carol = yield* account(store, "carol")
        yield* befriend(store, alice.id, bob.id)
        const [newIk, ek] = [bytes(32), bytes(64)]
        const statement = {
          accountId: alice.id,
          oldIk: alice.ikPub,
          newIk,
          ts: 1_700_000_000_000,
          sigOld: bytes(64),
          sigNew: bytes(64)
        }
        assert.strictEqual(yield* store.rotateIdentity({ ...statement, ekRecord: ek, ekSeq: 2 }), "rotated")
        const after = Option.getOrThrow(yield* store.getAccount(alice.id))
        same(after.ikPub, newIk)
        same(after.ekRecord, ek)
        assert.strictEqual(after.ekSeq, 2)
        // The same statement again is a duplicate; one from a key the account no longer has is stale.
        assert.strictEqual(yield* store.rotateIdentity({ ...statement, ekRecord: ek, ekSeq: 2 }), "duplicate")
        assert.strictEqual(
          yield* store.rotateIdentity({ ...statement, newIk: bytes(32), ekRecord: bytes(64), ekSeq: 3 }),
          "stale"
        )
        same(Option.getOrThrow(yield* store.getAccount(alice.id)).ikPub, newIk)
        // The EK seq must rise with it: nothing changes otherwise.
        assert.strictEqual(
          yield* codeOf(
            store.rotateIdentity({ ...statement, oldIk: newIk, newIk: bytes(32), ekRecord: bytes(64), ekSeq: 2 })
          ),
          "EK_SEQ_STALE"
        )
        same(Option.getOrThrow(yield* store.getAccount(alice.id)).ikPub, newIk)
        assert.strictEqual(
          yield* codeOf(store.rotateIdentity({ ...statement, accountId: alice.id + 999, ekRecord: ek, ekSeq: 9 })),
          "ACCOUNT_NOT_FOUND"
        )
        // Bob (a contact) sees the statement; carol (none) and alice herself see nothing of it.
        const seen = yield* store.listIdentityRotations(bob.id)
        assert.strictEqual(seen.length, 1)
        assert.strictEqual(seen[0]!.accountId, alice.id)
        same(seen[0]!.oldIk, alice.ikPub)
        same(seen[0]!.newIk, newIk)
        same(seen[0]!.sigOld, statement.sigOld)
        same(seen[0]!.sigNew, statement.sigNew)
        assert.strictEqual(seen[0]!.ts, statement.ts)
        assert.deepStrictEqual(yield* store.listIdentityRotations(carol.id), [])
        assert.deepStrictEqual(yield* store.listIdentityRotations(alice.id), [])
        // A second rotation is listed after the first.
        const third = bytes(32)
        assert.strictEqual(
          yield* store.rotateIdentity({ ...statement, oldIk: newIk, newIk: third, ekRecord: bytes(64), ekSeq: 3 }),
          "rotated"
        )
        assert.deepStrictEqual(
          (yield* store.listIdentityRotations(bob.id)).map((r) => Array.from(r.newIk)),
          [Array.from(newIk), Array.from(third)]
        )
      })
    )
  )
}
