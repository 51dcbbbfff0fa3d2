// What bench/relay-load.bench.mjs needs beyond test/relay/relayProcess.ts: opening a delivered envelope with the
// recipient's real keys (the daemon's crypto checks, without its inbox). Bundled by the bench with esbuild.
import { Effect, Option } from "effect"
import { decodeEnvelope, open } from "../src/protocol/Envelope.js"
import type { Member } from "../test/relay/relayProcess.js"
import { run } from "../test/relay/relayProcess.js"

export * from "../test/relay/relayProcess.js"

/** Opens one envelope as the relay delivered it (`{seq, from, v, id, to, exp, rk, ct}`) from `sender` to `receiver`. */
export const openDelivered = (wire: Record<string, unknown>, sender: Member, receiver: Member): Promise<string> =>
  run(
    Effect.gen(function* () {
      const { seq: _seq, from: _from, ...envelope } = wire
      const decoded = yield* decodeEnvelope(envelope)
      const opened = yield* open(
        decoded,
        { accountId: sender.accountId, handle: sender.handle, ikPub: sender.identity.publicKey },
        {
          accountId: receiver.accountId,
          ikPub: receiver.identity.publicKey,
          keys: (rk) => (rk === receiver.ek.record.keyId ? Option.some(receiver.ek) : Option.none())
        }
      )
      return opened.id
    })
  )
