import { assert, describe, it } from "@effect/vitest"
import { PgClient } from "@effect/sql-pg"
import { Effect, Either, Fiber, Layer, Option, Redacted, Stream } from "effect"
import { afterAll } from "vitest"
import { relayErrorCode } from "../../src/relay/RelayErrors.js"
import { RelayStore } from "../../src/relay/RelayStore.js"
import { layerPg } from "../../src/relay/SqlRelayStore.js"
import {
  inlineCtBytes,
  lockAndReadText,
  writeAndCommitText,
  writesInlineable
} from "../../src/relay/sql/EnqueueBatchPg.js"
import { INBOX_ROWS_MAX_CHARS, inboxRows, parseInbox } from "../../src/relay/sql/Notify.js"
import { account, befriend, bytes, send } from "./relayStoreContract.js"
import { describeWithoutPg, pgQuery, pgUrl, scratchDatabase } from "./pgAdmin.js"

// The PostgreSQL batch writes ids into its SQL text (EnqueueBatchPg.ts, AckBatch.ts): hostile bytes, a failed
// batch's rollback, and the wake-ups it sends at commit.

const hostileIds = [
  Uint8Array.from([0x27, 0x3b, 0x20, 0x44, 0x52, 0x4f, 0x50, 0x27]),
  Uint8Array.from([0x00, 0x5c, 0x78, 0x27, 0x27, 0x0a, 0x2d, 0x2d]),
  Uint8Array.from([0xff, 0xfe, 0x00, 0x00, 0x24, 0x24, 0x27, 0x29])
]

if (pgUrl === undefined) {
  describeWithoutPg("EnqueueBatch/pg")
} else {
  const dbs: Array<{ readonly drop: () => Promise<unknown> }> = []
  afterAll(() => Promise.all(dbs.map((d) => d.drop())))
  const base = pgUrl
  const fresh = async (maxConnections?: number) => {
    const db = await scratchDatabase(base, "enq")
    dbs.push(db)
    return { url: db.url, layer: layerPg({ url: db.url, maxConnections }) }
  }

  /** A fresh database, a LISTEN on `sb_inbox` noting every payload, and `body` run on a store over that database. */
  const heardWhile = <A>(body: (heard: ReadonlyArray<string>) => Effect.Effect<A, unknown, RelayStore>) =>
    Effect.gen(function* () {
      const { layer, url } = yield* Effect.promise(() => fresh())
      const heard: Array<string> = []
      const listen = PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })
      return yield* Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        const listening = yield* Effect.fork(
          Stream.runForEach(sql.listen("sb_inbox"), (p) => Effect.sync(() => heard.push(p)))
        )
        yield* Effect.sleep("300 millis")
        const result = yield* body(heard).pipe(Effect.provide(Layer.fresh(layer)))
        yield* Fiber.interrupt(listening)
        return result
      }).pipe(Effect.provide(listen), Effect.scoped)
    })

  describe("EnqueueBatch/pg", () => {
    it("the SQL text of the first round trip holds only digits and hex, whatever the ids' bytes", () => {
      const text = lockAndReadText(
        hostileIds.map((msgId, i) => ({
          senderId: 7 + i,
          recipientId: 3,
          msgId,
          rk: "'); --",
          ct: msgId,
          expiresAt: 1
        }))
      )
      assert.notInclude(text, "DROP")
      assert.notInclude(text, "--")
      assert.notInclude(text, "\\")
      for (const literal of text.match(/'[^']*'/g) ?? []) assert.match(literal, /^'([0-9a-f]*|hex)'$/)
    })

    it("the writes go in as text only when every value is a safe integer, hex or a plain key id", () => {
      const row = {
        recipient_id: 3,
        seq: 1,
        sender_id: 7,
        msg_id: hostileIds[0]!,
        rk: "ek_1",
        ct: hostileIds[1]!,
        created_at: 5,
        expires_at: 6
      }
      const sent = {
        sender_id: 7,
        msg_id: hostileIds[0]!,
        recipient_id: 3,
        seq: 1,
        state: "stored" as const,
        updated_at: 5
      }
      const writes = { spool: [row], sent: [sent], moved: [[3, 1] as const] }
      assert.isTrue(writesInlineable(writes))
      const text = writeAndCommitText(writes)
      assert.isTrue(text.endsWith(";\nCOMMIT"))
      // The notice's rows (Notify.ts `inboxRows`) are the one other literal: digits, base64url and separators.
      for (const literal of text.match(/'[^']*'/g) ?? [])
        assert.match(literal, /^'([0-9a-f]*|hex|ek_1|stored|sb_inbox|:|:[0-9A-Za-z_.;:-]+)'$/)
      assert.include(
        text,
        `'${inboxRows([{ seq: 1, senderId: 7, msgId: row.msg_id, rk: "ek_1", ct: row.ct, expiresAt: 6 }])}'`
      )
      assert.isFalse(writesInlineable({ ...writes, spool: [{ ...row, rk: "ek_1'); --" }] }))
      assert.isFalse(writesInlineable({ ...writes, spool: [{ ...row, seq: 2 ** 60 }] }))
      assert.isFalse(writesInlineable({ ...writes, spool: [{ ...row, ct: new Uint8Array(inlineCtBytes + 1) }] }))
    })

    it.live("hostile msg ids are stored byte for byte and a retry answers its first seq", () =>
      Effect.gen(function* () {
        const { layer } = yield* Effect.promise(() => fresh())
        yield* Effect.gen(function* () {
          const store = yield* RelayStore
          const [a, b] = yield* Effect.forEach(["a", "b"], (h) => account(store, h))
          yield* befriend(store, b!.id, a!.id)
          const first = yield* Effect.forEach(hostileIds, (id) => send(store, a!.id, b!.id, id), {
            concurrency: "unbounded"
          })
          assert.deepStrictEqual(
            first.map((x) => x.duplicate),
            [false, false, false]
          )
          const again = yield* Effect.forEach(hostileIds, (id) => send(store, a!.id, b!.id, id), {
            concurrency: "unbounded"
          })
          assert.deepStrictEqual(
            again.map((x) => [x.seq, x.duplicate]),
            first.map((x) => [x.seq, true])
          )
          // A ciphertext too big to write as text goes in as a parameter, byte for byte all the same.
          const big = Uint8Array.from({ length: inlineCtBytes + 10 }, (_, i) => (i * 39) & 0xff)
          const at = Date.now()
          const bigSent = yield* store.enqueue({
            senderId: a!.id,
            recipientId: b!.id,
            msgId: bytes(),
            rk: "ek_1",
            ct: big,
            expiresAt: at + 86_400_000
          })
          assert.deepStrictEqual(bigSent, { seq: 4, duplicate: false })
          const rows = yield* store.fetch(b!.id, 0, 10)
          assert.deepStrictEqual(Array.from(rows.find((r) => r.seq === 4)!.ct), Array.from(big))
          const bySeq = new Map(rows.map((r) => [r.seq, Array.from(r.msgId)]))
          first.forEach((x, i) => assert.deepStrictEqual(bySeq.get(x.seq), Array.from(hostileIds[i]!)))
        }).pipe(Effect.provide(layer))
      })
    )

    it.live("a batch whose write fails rolls back whole, and its connection serves the next batch", () =>
      Effect.gen(function* () {
        const { layer, url } = yield* Effect.promise(() => fresh(1))
        yield* Effect.gen(function* () {
          const store = yield* RelayStore
          const [a, b] = yield* Effect.forEach(["a", "b"], (h) => account(store, h))
          yield* befriend(store, b!.id, a!.id)
          // A spool row with no sent_status row: the batch's INSERT INTO spool hits UNIQUE(sender_id, msg_id).
          const clash = bytes()
          const hex = Buffer.from(clash).toString("hex")
          yield* Effect.promise(() =>
            pgQuery(
              url,
              `INSERT INTO spool (recipient_id, seq, sender_id, msg_id, rk, ct, created_at, expires_at)
               VALUES (${b!.id}, 900, ${a!.id}, decode('${hex}', 'hex'), 'ek_1', decode('00', 'hex'), 0, 9e15)`
            )
          )
          const failed = yield* Effect.either(send(store, a!.id, b!.id, clash))
          assert.isTrue(Either.isLeft(failed))
          if (Either.isLeft(failed)) assert.strictEqual(relayErrorCode(failed.left), "RELAY_STORE_IO")
          // Nothing of it stayed: the counter did not move and no sent_status row exists.
          assert.strictEqual(Option.getOrThrow(yield* store.getAccount(b!.id)).nextSeq, 0)
          assert.isTrue(Option.isNone(yield* store.getSentStatus(a!.id, clash)))
          // The one connection is usable (not left inside the aborted transaction).
          const ok = yield* send(store, a!.id, b!.id)
          assert.deepStrictEqual(ok, { seq: 1, duplicate: false })
          const acked = yield* store.ack(b!.id, 1)
          assert.deepStrictEqual(acked, { ackedSeq: 1, deleted: 1 })
        }).pipe(Effect.provide(layer))
      })
    )

    it.live("each recipient that got a message is notified once per batch, at commit; a refused one is not", () =>
      heardWhile((heard) =>
        Effect.gen(function* () {
          const store = yield* RelayStore
          const [a, b, c, stranger] = yield* Effect.forEach(["a", "b", "c", "x"], (h) => account(store, h))
          yield* befriend(store, b!.id, a!.id)
          yield* befriend(store, c!.id, a!.id)
          yield* send(store, a!.id, b!.id)
          yield* send(store, a!.id, c!.id)
          yield* Effect.either(send(store, a!.id, stranger!.id))
          yield* Effect.sleep("300 millis")
          const notices = heard.map(parseInbox)
          assert.deepStrictEqual(
            notices.map((n) => `${n?.recipientId}:${n?.seq}`).sort(),
            [`${b!.id}:1`, `${c!.id}:1`].sort()
          )
          // Each carries the row it announces, as a poll reads it (ADR-0076).
          for (const recipient of [b!.id, c!.id]) {
            const [row] = yield* store.fetch(recipient, 0, 10)
            const notice = notices.find((n) => n?.recipientId === recipient)
            const { createdAt: _, ...fresh } = row!
            assert.deepStrictEqual(notice?.rows, [fresh])
          }
        })
      )
    )

    it.live("a batch's rows for a recipient ride its notice only while they fit; else the notice is bare", () =>
      heardWhile((heard) =>
        Effect.gen(function* () {
          const store = yield* RelayStore
          const [a, b] = yield* Effect.forEach(["a", "b"], (h) => account(store, h))
          yield* befriend(store, b!.id, a!.id)
          const at = Date.now()
          const enqueue = (ct: Uint8Array) =>
            store.enqueue({
              senderId: a!.id,
              recipientId: b!.id,
              msgId: bytes(),
              rk: "ek_1",
              ct,
              expiresAt: at + 9e7
            })
          // Written as text (under inlineCtBytes) but longer than a notice may carry.
          yield* enqueue(new Uint8Array(INBOX_ROWS_MAX_CHARS))
          yield* enqueue(bytes(32))
          yield* Effect.sleep("300 millis")
          assert.deepStrictEqual(heard[0], `${b!.id}:1`)
          const second = parseInbox(heard[1]!)
          assert.deepStrictEqual([second?.seq, second?.rows?.map((r) => r.seq)], [2, [2]])
        })
      )
    )
  })
}
