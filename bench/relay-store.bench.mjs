// RelayStore enqueue throughput: 8 concurrent senders to 50 recipients, 1 KiB ciphertext. Enqueues go through the
// store's group commit (docs/relay-store.md): those that arrive while a batch commits share the next transaction. SQLite runs with synchronous=FULL on a
// temp file; PostgreSQL runs when SESSION_BRIDGE_TEST_PG_URL is set (a scratch schema, dropped after).
// dist/ has no relay entry yet, so this bundles src/relay/SqlRelayStore.ts itself (esbuild, packages external) into
// .cache/ and imports it: plain node, no build step.
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { NodeContext } from "@effect/platform-node"
import { importTs, log, row } from "./lib.mjs"

const SENDERS = 8
const RECIPIENTS = 50
const MESSAGES = Number(process.env.BENCH_RELAY_MESSAGES ?? 2_000)
const DAY = 86_400_000

const { dir: outDir, modules } = await importTs("relay-bench-", {
  store: "src/relay/SqlRelayStore.ts",
  tag: "src/relay/RelayStore.ts"
})
const { layerSqlite, layerPg } = modules.store
const { RelayStore } = modules.tag

const bytes = (n, seed) => {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (seed >> ((i % 4) * 8)) & 0xff
  return out
}

/** Seeds accounts and contacts, then floods; returns stored enqueues per second. */
const flood = Effect.gen(function* () {
  const store = yield* RelayStore
  const key = (i) => bytes(32, i)
  const senders = []
  const recipients = []
  for (let i = 0; i < SENDERS; i++)
    senders.push(yield* store.createAccount({ handle: `s${i}`, ikPub: key(i), ekRecord: key(i), ekSeq: 1 }))
  for (let i = 0; i < RECIPIENTS; i++)
    recipients.push(yield* store.createAccount({ handle: `r${i}`, ikPub: key(i), ekRecord: key(i), ekSeq: 1 }))
  let invite = 1
  const now = Date.now()
  for (const r of recipients) {
    for (const s of senders) {
      const id = bytes(16, invite++)
      yield* store.createInvite({ id, inviterId: r.id, offer: key(1), expiresAt: now + DAY })
      yield* store.redeemInvite({ id, redeemerId: s.id, reply: key(2) })
      yield* store.acceptContact(r.id, s.id)
    }
  }
  const ct = new Uint8Array(1024).fill(7)
  let n = 0
  const started = performance.now()
  yield* Effect.forEach(
    senders,
    (s, si) =>
      Effect.gen(function* () {
        for (let i = 0; i < MESSAGES / SENDERS; i++) {
          const to = recipients[(si * 7 + i) % RECIPIENTS]
          const msgId = bytes(16, si * 1_000_000 + i)
          yield* store.enqueue({ senderId: s.id, recipientId: to.id, msgId, rk: "ek_1", ct, expiresAt: now + 7 * DAY })
          n++
        }
      }),
    { concurrency: SENDERS, discard: true }
  )
  return n / ((performance.now() - started) / 1000)
})

const measure = (name, layer, target) =>
  Effect.runPromise(Effect.provide(flood, layer)).then(
    (perSecond) => row(name, `${Math.round(perSecond)} enqueues/s`, `≥ ${target}/s`, perSecond >= target),
    (error) => row(name, `FAILED: ${error?.message ?? error}`, `≥ ${target}/s`, false)
  )

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "sb-relay-bench-"))
log(`relay store: ${MESSAGES} enqueues, ${SENDERS} senders, ${RECIPIENTS} recipients`)
await measure(
  `relay store enqueue, SQLite synchronous=FULL (${SENDERS} senders, ${MESSAGES} msgs)`,
  layerSqlite({ filename: path.join(tmp, "relay", "relay.db") }).pipe(Layer.provide(NodeContext.layer)),
  1_000
)
fs.rmSync(tmp, { recursive: true, force: true })

const pgUrl = process.env.SESSION_BRIDGE_TEST_PG_URL
if (pgUrl) {
  const schema = `relay_bench_${process.pid}`
  const { PgClient } = await import("@effect/sql-pg")
  const { Redacted } = await import("effect")
  const admin = PgClient.layer({ url: Redacted.make(pgUrl), maxConnections: 1 })
  const onAdmin = (statement) =>
    Effect.runPromise(
      Effect.scoped(Effect.flatMap(PgClient.PgClient, (sql) => sql.unsafe(statement)).pipe(Effect.provide(admin)))
    )
  await onAdmin(`CREATE SCHEMA ${schema}`)
  const scoped = new URL(pgUrl)
  scoped.searchParams.set("options", `-c search_path=${schema}`)
  await measure(
    `relay store enqueue, PostgreSQL (${SENDERS} senders, ${MESSAGES} msgs)`,
    layerPg({ url: scoped.toString() }),
    500
  )
  await onAdmin(`DROP SCHEMA ${schema} CASCADE`)
} else {
  log("SESSION_BRIDGE_TEST_PG_URL not set: PostgreSQL row skipped")
}
fs.rmSync(outDir, { recursive: true, force: true })
