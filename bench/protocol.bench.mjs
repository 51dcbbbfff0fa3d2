// sb1 protocol costs: seal+open of a 1 KiB message and encryption of a 10 MiB artifact, through the real
// src/protocol code and the node:crypto layer (bundled on the fly with esbuild; runs on its own, no dist/ needed).
import * as path from "node:path"
import { build } from "esbuild"
import { log, ms, percentile, REPO, row } from "./lib.mjs"

const entry = `
export * as Effect from "effect/Effect"
export * as Envelope from "./src/protocol/Envelope.ts"
export * as Keys from "./src/protocol/Keys.ts"
export * as Artifact from "./src/protocol/ArtifactCipher.ts"
export { layer } from "./src/platform/NodeCloudCrypto.ts"
`
const out = await build({
  stdin: { contents: entry, resolveDir: REPO, loader: "ts" },
  bundle: true,
  write: false,
  format: "esm",
  platform: "node",
  logLevel: "error"
})
const url = "data:text/javascript;base64," + Buffer.from(out.outputFiles[0].text).toString("base64")
const { Effect, Envelope, Keys, Artifact, layer } = await import(url)
const run = (effect) => Effect.runSync(Effect.provide(effect, layer))

const now = Date.now()
const account = (handle, n) =>
  run(
    Effect.gen(function* () {
      const identity = yield* Keys.generateIdentity
      const ek = yield* Keys.generateEncryptionKey(identity, {
        keyId: `ek_${n}`,
        notBefore: now - 1e6,
        notAfter: now + 1e9,
        seq: 1
      })
      return { handle, accountId: `acct_${handle}`, identity, ek }
    })
  )
const alice = account("alice", 1)
const bob = account("bob", 2)
const contact = (a) => ({ accountId: a.accountId, handle: a.handle, ikPub: a.identity.publicKey, ek: a.ek.record })
const receiver = (a) => ({
  accountId: a.accountId,
  ikPub: a.identity.publicKey,
  keys: (rk) => (rk === a.ek.record.keyId ? { _tag: "Some", value: a.ek } : { _tag: "None" })
})
const ids = (i) => "01JF" + String(i).padStart(22, "0")
const body = "x".repeat(1024)

const roundTrip = (i) =>
  Effect.gen(function* () {
    const env = yield* Envelope.seal({
      id: ids(i),
      exp: Math.floor(now / 1000) + 3600,
      from: { accountId: alice.accountId, identity: alice.identity },
      to: contact(bob),
      inner: { kind: "message", ts: Date.now(), fromHandle: "alice", to: { label: "api" }, subject: "s", body }
    })
    return yield* Envelope.open(env, contact(alice), receiver(bob))
  })

const N = 2000
const times = []
for (let i = 0; i < N + 200; i++) {
  const t = process.hrtime.bigint()
  run(roundTrip(i))
  if (i >= 200) times.push(Number(process.hrtime.bigint() - t) / 1e3)
}
const p50 = percentile(times, 50)
log(`seal+open 1 KiB: p50 ${p50.toFixed(0)} µs, p99 ${percentile(times, 99).toFixed(0)} µs over ${N}`)
row("sb1 seal+open, 1 KiB body (p50)", `${(p50 / 1000).toFixed(3)} ms`, "≤ 0.5 ms", p50 <= 500)

const artifact = new Uint8Array(10 * 1024 * 1024).map((_, i) => i & 255)
const art = []
for (let i = 0; i < 7; i++) {
  const t = process.hrtime.bigint()
  run(Artifact.encryptArtifact(artifact))
  if (i >= 2) art.push(Number(process.hrtime.bigint() - t) / 1e6)
}
const a50 = percentile(art, 50)
row("sb1 artifact encrypt, 10 MiB (median)", ms(a50), "≤ 50 ms", a50 <= 50)
log(`artifact encrypt 10 MiB: ${art.map((x) => x.toFixed(1)).join(", ")} ms (${path.basename(import.meta.url)})`)
