// A child process that commits one message through the real SQLite RelayStore, says so, then waits to be killed.
import { NodeContext } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { RelayStore } from "../../../src/relay/RelayStore.js"
import { layerSqlite } from "../../../src/relay/SqlRelayStore.js"

const [filename = ""] = process.argv.slice(2)
const DAY = 86_400_000

const program = Effect.gen(function* () {
  const store = yield* RelayStore
  const key = (n: number) => new Uint8Array(32).fill(n)
  const alice = yield* store.createAccount({ handle: "alice", ikPub: key(1), ekRecord: key(2), ekSeq: 1 })
  const bob = yield* store.createAccount({ handle: "bob", ikPub: key(3), ekRecord: key(4), ekSeq: 1 })
  const now = Date.now()
  yield* store.createInvite({ id: key(5).subarray(0, 16), inviterId: alice.id, offer: key(6), expiresAt: now + DAY })
  yield* store.redeemInvite({ id: key(5).subarray(0, 16), redeemerId: bob.id, reply: key(7) })
  yield* store.acceptContact(alice.id, bob.id)
  const sent = yield* store.enqueue({
    senderId: bob.id,
    recipientId: alice.id,
    msgId: key(8).subarray(0, 16),
    rk: "ek_1",
    ct: key(9),
    expiresAt: now + DAY
  })
  process.stdout.write(`committed ${sent.seq}\n`)
  return yield* Effect.never
})

Effect.runFork(program.pipe(Effect.provide(layerSqlite({ filename }).pipe(Layer.provide(NodeContext.layer)))))
