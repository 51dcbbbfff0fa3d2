import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { NodeContext } from "@effect/platform-node"
import { SqlClient } from "@effect/sql"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Option } from "effect"
import { RelayStore } from "../../src/relay/RelayStore.js"
import { layerSqlite, sqliteClient } from "../../src/relay/SqlRelayStore.js"
import { bundleWorker } from "../support/bundleWorker.js"
import { type Opener, testRelayStore } from "./relayStoreContract.js"
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
