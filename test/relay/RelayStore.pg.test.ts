import { describe } from "@effect/vitest"
import { PgClient } from "@effect/sql-pg"
import { afterAll } from "vitest"
import { Effect, Layer, Redacted } from "effect"
import { layerPg } from "../../src/relay/SqlRelayStore.js"
import { type Opener, testRelayStore } from "./relayStoreContract.js"
import { testRelayStoreRotations } from "./relayStoreRotationContract.js"
import { describeWithoutPg } from "./pgAdmin.js"
import { testRelayStoreSends } from "./relayStoreSendContract.js"

// In CI (.ci/run) the URL is always set and the server must be reachable: this suite fails there, never skips.
const url = process.env["SESSION_BRIDGE_TEST_PG_URL"]

const admin = (base: string) => PgClient.layer({ url: Redacted.make(base), maxConnections: 1 })
const run = <A, E>(base: string, f: (sql: PgClient.PgClient) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(PgClient.PgClient, f).pipe(Effect.provide(admin(base)))))

const schemas: Array<string> = []
let next = 0

/** A new, empty schema per opener; every connection of the store is pointed at it through the URL's options. */
const freshSchema = (base: string) => (): Opener => {
  const schema = `relay_test_${process.pid}_${Date.now().toString(36)}_${next++}`
  schemas.push(schema)
  const scoped = new URL(base)
  scoped.searchParams.set("options", `-c search_path=${schema}`)
  // Created once per schema, before any opener runs (the openers of one schema may start at the same time).
  const created = run(base, (sql) => sql.unsafe(`CREATE SCHEMA ${schema}`))
  const create = Layer.effectDiscard(Effect.promise(() => created))
  return (options = {}) => layerPg({ ...options, url: scoped.toString() }).pipe(Layer.provide(create))
}

if (url === undefined) {
  describeWithoutPg("RelayStore/pg")
} else {
  afterAll(() =>
    run(url, (sql) =>
      Effect.forEach(schemas, (s) => sql.unsafe(`DROP SCHEMA IF EXISTS ${s} CASCADE`), { discard: true })
    )
  )

  describe("RelayStore/pg", () => {
    testRelayStore(freshSchema(url))
    testRelayStoreSends(freshSchema(url))
    testRelayStoreRotations(freshSchema(url))
  })
}
