import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { RelayStore } from "../../src/relay/RelayStore.js"
import { layerSqlite, make as makeStore, sqliteClient } from "../../src/relay/SqlRelayStore.js"
import { bundleWorker } from "../support/bundleWorker.js"
import { account, befriend, type Opener, send, testRelayStore } from "./relayStoreContract.js"
import { testRelayStoreRotations } from "./relayStoreRotationContract.js"
import { testRelayStoreSends } from "./relayStoreSendContract.js"

const tempFile = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), "sb-relay-")), "relay", "relay.db")
const opener =
  (filename: string): Opener =>
  (options = {}) =>
    layerSqlite({ ...options, filename }).pipe(Layer.provide(NodeContext.layer))

describe("RelayStore/sqlite", () => {
  testRelayStore(() => opener(tempFile()))
  testRelayStoreSends(() => opener(tempFile()))
  testRelayStoreRotations(() => opener(tempFile()))

  it.live(
    "the database file is 0600 in a 0700 folder; the connection runs WAL, synchronous=FULL, busy_timeout=5000",
    () => {
      const filename = tempFile()
      return Effect.gen(function* () {
        const sql = yield* SqlClient.SqlClient
        assert.strictEqual(fs.statSync(path.dirname(filename)).mode & 0o777, 0o700)
        assert.strictEqual(fs.statSync(filename).mode & 0o777, 0o600)
        const pragma = (name: string) =>
          Effect.map(sql.unsafe<Record<string, unknown>>(`PRAGMA ${name}`), (r) => Object.values(r[0] ?? {})[0])
        assert.strictEqual(yield* pragma("journal_mode"), "wal")
        assert.strictEqual(yield* pragma("synchronous"), 2)
        assert.strictEqual(yield* pragma("busy_timeout"), 5000)
        assert.strictEqual(yield* pragma("foreign_keys"), 1)
      }).pipe(Effect.provide(sqliteClient({ filename }).pipe(Layer.provide(NodeContext.layer))))
    }
  )

  it.live("an ack, a revoke and the sweeper reach undelivered sent_status rows only, by the partial index", () => {
    const filename = tempFile()
    return Effect.gen(function* () {
      yield* RelayStore
      const sql = yield* SqlClient.SqlClient
      const plan = (statement: string) =>
        Effect.map(sql.unsafe<{ detail: string }>(`EXPLAIN QUERY PLAN ${statement}`), (rows) =>
          rows.map((r) => r.detail).join(" | ")
        )
      // The ack's statement (sql/AckBatch.ts): one range of the partial index, whatever was delivered before.
      const ack = yield* plan(`UPDATE sent_status SET state = 'delivered', updated_at = 1
        WHERE recipient_id = 7 AND state = 'stored' AND seq <= 9`)
      assert.match(ack, /SEARCH sent_status USING INDEX sent_status_stored \(recipient_id=\? AND seq<\?\)/)
      const revoke = yield* plan(`UPDATE sent_status SET state = 'refused' WHERE state = 'stored'
        AND ((sender_id = 1 AND recipient_id = 2) OR (sender_id = 2 AND recipient_id = 1))`)
      assert.match(revoke, /sent_status_stored/)
      const indexes = yield* sql<{ name: string }>`SELECT name FROM sqlite_master WHERE tbl_name = 'sent_status'
        AND type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name`
      assert.deepStrictEqual(
        indexes.map((r) => r.name),
        ["sent_status_stored", "sent_status_updated"]
      )
    }).pipe(
      Effect.provide(
        opener(filename)().pipe(Layer.provideMerge(sqliteClient({ filename }).pipe(Layer.provide(NodeContext.layer))))
      )
    )
  })

  it.live("acks commit with synchronous=NORMAL on the store's connection, which is FULL again for every send", () => {
    const filename = tempFile()
    return Effect.gen(function* () {
      const store = yield* RelayStore
      const sql = yield* SqlClient.SqlClient
      const synchronous = Effect.map(
        sql.unsafe<Record<string, unknown>>("PRAGMA synchronous"),
        (r) => Object.values(r[0] ?? {})[0]
      )
      const alice = yield* account(store, "alice")
      const bob = yield* account(store, "bob")
      yield* befriend(store, alice.id, bob.id)
      // Sends and acks racing on the one connection: each send's commit sees FULL, whatever the acks set around it.
      const seen: Array<unknown> = []
      yield* Effect.forEach(
        Array.from({ length: 40 }, (_, i) => i),
        (i) =>
          i % 2 === 0
            ? Effect.zipRight(
                send(store, alice.id, bob.id),
                Effect.map(synchronous, (v) => void seen.push(v))
              )
            : Effect.asVoid(store.ack(bob.id, i)),
        { concurrency: 8, discard: true }
      )
      const last = yield* store.ack(bob.id, 20)
      assert.strictEqual(last.ackedSeq, 20)
      assert.deepStrictEqual(yield* store.fetch(bob.id, 20, 10), [])
      assert.deepStrictEqual(new Set(seen), new Set([2]))
      assert.strictEqual(yield* synchronous, 2)
    }).pipe(
      Effect.provide(
        Layer.scoped(RelayStore, makeStore()).pipe(
          Layer.provideMerge(sqliteClient({ filename })),
          Layer.provide(NodeContext.layer)
        )
      )
    )
  })

  it.live("a message committed by a process SIGKILLed right after its commit is there when reopened", () => {
    const filename = tempFile()
    const worker = bundleWorker("test/support/workers/relayStoreWorker.ts", { externalPackages: true })
    return Effect.gen(function* () {
      const seq = yield* Effect.async<string, string>((resume) => {
        const child = spawn(process.execPath, [worker, filename], { stdio: ["ignore", "pipe", "inherit"] })
        let out = ""
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString()
          const match = /committed (\d+)\n/.exec(out)
          if (match) {
            child.kill("SIGKILL")
            child.on("exit", (_code, signal) =>
              signal === "SIGKILL" ? resume(Effect.succeed(match[1]!)) : resume(Effect.fail(`exit ${signal}`))
            )
          }
        })
        child.on("error", (error) => resume(Effect.fail(error.message)))
      })
      const found = yield* Effect.provide(
        Effect.gen(function* () {
          const store = yield* RelayStore
          const alice = Option.getOrThrow(yield* store.getAccountByHandle("alice"))
          return yield* store.fetch(alice.id, 0, 10)
        }),
        opener(filename)()
      )
      assert.deepStrictEqual(
        found.map((e) => e.seq),
        [Number(seq)]
      )
    })
  })
})
