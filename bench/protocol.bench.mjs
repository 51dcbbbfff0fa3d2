// sb1 protocol costs: seal+open of a 1 KiB message and encryption of a 10 MiB artifact (both passes: the blob id,
// then the sealed chunks an upload sends), through the real
// src/protocol code and the node:crypto layer (bundled on the fly with esbuild; runs on its own, no dist/ needed).
import * as path from "node:path"
import { build } from "esbuild"
import { log, ms, percentile, REPO, row } from "./lib.mjs"

// The crypto layer is built once, into a runtime, as in the daemon (whose fibers carry it); each round is one
// runSync of seal then open, so a round pays a fiber start, which the daemon's loop does not.
// BENCH_PROTOCOL_BEFORE=<another checkout> runs its src/protocol in the same process, in alternating blocks of 100
// rounds, for a before/after on a shared machine; CPU time per round (process.cpuUsage) is logged beside the wall.
const entry = `
export * as Effect from "effect/Effect"
export * as ManagedRuntime from "effect/ManagedRuntime"
export * as Envelope from "./src/protocol/Envelope.ts"
export * as Keys from "./src/protocol/Keys.ts"
export * as Artifact from "./src/protocol/ArtifactCipher.ts"
export { layer } from "./src/platform/NodeCloudCrypto.ts"
`
const load = async (repo) => {
  const out = await build({
    stdin: { contents: entry, resolveDir: repo, loader: "ts" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    logLevel: "error"
  })
  const url = "data:text/javascript;base64," + Buffer.from(out.outputFiles[0].text).toString("base64")
  return import(url)
}

const now = Date.now()
const body = "x".repeat(1024)
const ids = (i) => "01JF" + String(i).padStart(22, "0")

/** One checkout's round trip: alice seals a 1 KiB message to bob, bob opens it. */
const roundTripOf = async (repo) => {
  const { Effect, ManagedRuntime, Envelope, Keys, Artifact, layer } = await load(repo)
  const runtime = ManagedRuntime.make(layer)
  const run = (effect) => runtime.runSync(effect)
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
  // An artifact's encryption as its upload runs it: the pass that yields the blob id, then every sealed chunk of the
  // body (the second pass), taken and dropped as a socket would take them.
  const encrypt = (bytes) => {
    const sealed = run(Artifact.encryptArtifact(bytes))
    let size = 0
    for (const chunk of sealed.ciphertext.chunks()) size += chunk.length
    if (size !== sealed.ciphertext.size)
      throw new Error(`ciphertext of ${size} bytes, ${sealed.ciphertext.size} announced`)
    return sealed
  }
  // A download's decryption: in place, over the blob as fetched (each run gets a fresh copy, made before the clock).
  const decrypt = (blob, sealed) => run(Artifact.decryptArtifact(blob, sealed.key, sealed.sha256))
  return { round: (i) => run(roundTrip(i)), encrypt, decrypt, bytesOf: Artifact.ciphertextBytes }
}

const before = process.env.BENCH_PROTOCOL_BEFORE
const variants = [{ name: "this", ...(await roundTripOf(REPO)) }]
if (before) variants.push({ name: path.resolve(before), ...(await roundTripOf(path.resolve(before))) })
const N = 2000
const BLOCK = 100
const stats = variants.map(() => ({ times: [], cpu: 0 }))
for (let i = 0; i < 200; i++) for (const v of variants) v.round(i)
for (let done = 0; done < N; done += BLOCK) {
  variants.forEach((v, k) => {
    const cpu = process.cpuUsage()
    for (let i = done; i < done + BLOCK; i++) {
      const t = process.hrtime.bigint()
      v.round(i)
      stats[k].times.push(Number(process.hrtime.bigint() - t) / 1e3)
    }
    const used = process.cpuUsage(cpu)
    stats[k].cpu += used.user + used.system
  })
}
variants.forEach((v, k) => {
  const { times, cpu } = stats[k]
  log(
    `seal+open 1 KiB (${v.name}): p50 ${percentile(times, 50).toFixed(0)} µs, p99 ${percentile(times, 99).toFixed(0)} µs,` +
      ` CPU ${(cpu / N).toFixed(0)} µs a round, over ${N}`
  )
})
const p50 = percentile(stats[0].times, 50)
row("sb1 seal+open, 1 KiB body (p50)", `${(p50 / 1000).toFixed(3)} ms`, "≤ 0.5 ms", p50 <= 500)
row("sb1 seal+open, 1 KiB body, CPU a round (mean)", `${(stats[0].cpu / N / 1000).toFixed(3)} ms`, "report")

const artifact = new Uint8Array(10 * 1024 * 1024).map((_, i) => i & 255)
const art = []
const open = []
for (let i = 0; i < 7; i++) {
  const t = process.hrtime.bigint()
  const sealed = variants[0].encrypt(artifact)
  if (i >= 2) art.push(Number(process.hrtime.bigint() - t) / 1e6)
  const blob = variants[0].bytesOf(sealed.ciphertext)
  const d = process.hrtime.bigint()
  const plain = variants[0].decrypt(blob, sealed)
  if (i >= 2) open.push(Number(process.hrtime.bigint() - d) / 1e6)
  if (plain.length !== artifact.length) throw new Error(`decrypted ${plain.length} bytes`)
}
const a50 = percentile(art, 50)
row("sb1 artifact encrypt, 10 MiB (median)", ms(a50), "≤ 50 ms", a50 <= 50)
row("sb1 artifact decrypt in place, 10 MiB (median)", ms(percentile(open, 50)), "report")
log(`artifact encrypt 10 MiB: ${art.map((x) => x.toFixed(1)).join(", ")} ms (${path.basename(import.meta.url)})`)
log(`artifact decrypt 10 MiB: ${open.map((x) => x.toFixed(1)).join(", ")} ms`)
