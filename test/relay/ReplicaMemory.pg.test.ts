import { assert, describe, it } from "@effect/vitest"
import { afterAll } from "vitest"
import { Context, Effect, Either, Layer } from "effect"
import * as PgListen from "../../src/platform/PgListen.js"
import * as PgWaiters from "../../src/relay/PgWaiters.js"
import { makeReplicaMemory } from "../../src/relay/ReplicaMemory.js"
import { RelayStore } from "../../src/relay/RelayStore.js"
import { layerPg } from "../../src/relay/SqlRelayStore.js"
import { Waiters } from "../../src/relay/Waiters.js"
import { describeWithoutPg, pgQuery, pgUrl, scratchDatabase } from "./pgAdmin.js"
import { account, befriend, bytes, send } from "./relayStoreContract.js"

/** Retries `check` every 20 ms until it holds, for at most 5 s (a notice arrives in milliseconds). */
const eventually = <E>(check: Effect.Effect<boolean, E>) =>
  Effect.gen(function* () {
    for (let i = 0; i < 250; i++) {
      if (yield* check) return true
      yield* Effect.sleep("20 millis")
    }
    return false
  })

/**
 * Two replicas' stores on one scratch database: A serves with the memory its LISTEN connection keeps (tokens kept a
 * minute here, so only a notice explains a revoke seen sooner), B is another replica and keeps nothing.
 */
const replicas = (url: string) =>
  Effect.gen(function* () {
    const memory = makeReplicaMemory(60_000)
    const listen = PgListen.listen({
      url,
      applicationName: PgWaiters.LISTEN_APPLICATION_NAME,
      channels: PgWaiters.LISTEN_CHANNELS
    })
    const a = yield* Layer.build(
      Layer.merge(layerPg({ url, memory, maxConnections: 2 }), PgWaiters.layer(listen, memory))
    )
    const b = yield* Layer.build(layerPg({ url, maxConnections: 2 }))
    // Nothing is kept until the connection listens (the tails' generation moves at each resume).
    assert.isTrue(yield* eventually(Effect.sync(() => memory.tails.readStarts() > 0)))
    return { a: Context.get(a, RelayStore), waiters: Context.get(a, Waiters), b: Context.get(b, RelayStore) }
  })

if (pgUrl === undefined) {
  describeWithoutPg("ReplicaMemory/pg")
} else {
  const base = pgUrl
  const dbs: Array<{ readonly drop: () => Promise<unknown> }> = []
  afterAll(() => Promise.all(dbs.map((d) => d.drop())))
  const fresh = () =>
    Effect.promise(async () => {
      const db = await scratchDatabase(base, "mem")
      dbs.push(db)
      return db.url
    })

  describe("ReplicaMemory/pg", () => {
    it.live("another replica's revokes drop this replica's cached tokens at their commit", () =>
      Effect.gen(function* () {
        const url = yield* fresh()
        const { a, b } = yield* replicas(url)
        const alice = yield* account(b, "alice")
        const bob = yield* account(b, "bob")
        const [kept, revoked, bobs] = [bytes(32), bytes(32), bytes(32)]
        yield* b.insertToken(alice.id, kept, "kept")
        yield* b.insertToken(alice.id, revoked, "revoked")
        yield* b.insertToken(bob.id, bobs, "bob")
        for (const token of [kept, revoked, bobs]) yield* a.accountIdForToken(token)
        // Revoked behind the relay's back (no notice): A still answers from its cache, so it does keep tokens.
        const hex = Buffer.from(kept).toString("hex")
        yield* Effect.promise(() =>
          pgQuery(url, `UPDATE tokens SET revoked_at = 1 WHERE token_hash = '\\x${hex}'::bytea`)
        )
        assert.strictEqual(yield* a.accountIdForToken(kept), alice.id)
        // Through the store, on B: A refuses within a notice's delay, not after its minute.
        const refused = (token: Uint8Array) => Effect.map(Effect.either(a.accountIdForToken(token)), Either.isLeft)
        assert.isTrue(yield* b.revokeToken(revoked))
        assert.isTrue(yield* eventually(refused(revoked)))
        assert.strictEqual(yield* a.accountIdForToken(kept), alice.id)
        yield* b.revokeAllTokens(bob.id)
        assert.isTrue(yield* eventually(refused(bobs)))
      }).pipe(Effect.scoped)
    )

    it.live("another replica's send moves the spool tail; a lost LISTEN connection stops the skipping", () =>
      Effect.gen(function* () {
        const url = yield* fresh()
        const { a, b } = yield* replicas(url)
        const alice = yield* account(b, "alice")
        const bob = yield* account(b, "bob")
        yield* befriend(b, alice.id, bob.id)
        assert.deepStrictEqual(yield* a.fetch(bob.id, 0, 10), [])
        // Sent on B: its notice carries seq 1, so a poll at 0 on A reads it (it does not skip for the 25 s).
        yield* send(b, alice.id, bob.id)
        assert.isTrue(yield* eventually(Effect.map(a.fetch(bob.id, 0, 10), (rows) => rows.length === 1)))
        // A row written with no notice (as no release does): a poll at the known end skips the read.
        yield* Effect.promise(() =>
          pgQuery(
            url,
            `INSERT INTO spool (recipient_id, seq, sender_id, msg_id, rk, ct, created_at, expires_at)
             SELECT recipient_id, 2, sender_id, '\\x01'::bytea, rk, ct, created_at, expires_at FROM spool
             WHERE recipient_id = ${bob.id} AND seq = 1`
          )
        )
        assert.deepStrictEqual(yield* a.fetch(bob.id, 1, 10), [])
        assert.strictEqual((yield* a.read(bob.id, 1, 10)).length, 1)
        // The LISTEN connection dropped: notices may be missed, so every poll reads again.
        yield* Effect.promise(() =>
          pgQuery(
            url,
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = '${PgWaiters.LISTEN_APPLICATION_NAME}' AND datname = current_database()`
          )
        )
        assert.isTrue(yield* eventually(Effect.map(a.fetch(bob.id, 1, 10), (rows) => rows.length === 1)))
      }).pipe(Effect.scoped)
    )
  })
}
