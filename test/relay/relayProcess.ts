import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, type Option } from "effect"
import * as NodeCloudCrypto from "../../src/platform/NodeCloudCrypto.js"
import { fromBase64Url, toBase64Url } from "../../src/protocol/Bytes.js"
import type { CloudCrypto } from "../../src/protocol/CloudCrypto.js"
import { seal } from "../../src/protocol/Envelope.js"
import { makeOffer, makeReply, newInvite, openOffer, openReply } from "../../src/protocol/Invite.js"
import { type EncryptionKey, generateEncryptionKey, generateIdentity } from "../../src/protocol/Keys.js"
import { makeRegistrationProof } from "../../src/protocol/Statements.js"
import type { KeyPair } from "../../src/protocol/CloudCrypto.js"
import type { AccountId, Handle } from "../../src/protocol/WireSchemas.js"
import { encodeEnvelope } from "../../src/protocol/Envelope.js"
import { CROCKFORD, encodeTime } from "../../src/domain/Ulid.js"
import type { MessageId } from "../../src/domain/Ulid.js"
import { ensureBuilt, REPO } from "../support/build.js"

export const RELAY_BIN = path.join(REPO, "dist", "relay", "bin.js")

/** A relay process on a random loopback port, with everything it wrote to stderr. */
export interface Relay {
  readonly url: string
  readonly child: ChildProcess
  readonly stderr: () => string
  readonly exited: Promise<number | null>
}

/** The environment of a relay: none of the caller's SESSION_BRIDGE_* settings leak in. */
const cleanEnv = (extra: Record<string, string>) => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("SESSION_BRIDGE_") && v !== undefined) env[k] = v
  return { ...env, ...extra }
}

export const tempDir = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix))

/** Starts `node <command>` and waits for its `listening` log line. */
export const startRelay = async (options: {
  readonly home: string
  readonly args?: ReadonlyArray<string>
  readonly env?: Record<string, string>
  readonly command?: ReadonlyArray<string>
  /** How long to wait for `listening` (20 s); on a timeout the process is killed. */
  readonly startTimeoutMs?: number
}): Promise<Relay> => {
  await ensureBuilt()
  const command = options.command ?? [RELAY_BIN, "--port", "0"]
  const child = spawn(process.execPath, [...command, ...(options.args ?? [])], {
    env: cleanEnv({ SESSION_BRIDGE_HOME: options.home, ...options.env }),
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stderr = ""
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`relay did not start:\n${stderr}`))
    }, options.startTimeoutMs ?? 20_000)
    let listening = false
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
      // Matched only until found: a regular expression over the whole log flattens it, once per chunk, and a relay
      // under load writes a line per request (a load generator spent most of its CPU here).
      if (listening) return
      const m = /"event":"listening"[^\n]*"url":"(http:\/\/[^"]+)"/.exec(stderr)
      if (m?.[1] !== undefined) {
        listening = true
        clearTimeout(timer)
        // The port is the bound one; the tests always talk to loopback.
        resolve(m[1].replace("0.0.0.0", "127.0.0.1"))
      }
    })
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`relay exited with ${code} before listening:\n${stderr}`))
    })
  })
  return { url, child, stderr: () => stderr, exited }
}

export const stopRelay = async (relay: Relay, signal: NodeJS.Signals = "SIGTERM") => {
  if (relay.child.exitCode === null && relay.child.signalCode === null) relay.child.kill(signal)
  return relay.exited
}

export const run = <A, E>(effect: Effect.Effect<A, E, CloudCrypto>): Promise<A> =>
  Effect.runPromise(Effect.provide(effect, NodeCloudCrypto.layer))

let addressCounter = 1
/** A distinct client address per account (the relay reads X-Forwarded-For from loopback), so limits stay per test. */
export const nextAddress = () => `203.0.113.${addressCounter++ % 250}`

export interface Answer {
  readonly status: number
  readonly body: any
  readonly headers: Headers
}

export const call = async (
  url: string,
  method: string,
  route: string,
  options: { token?: string; body?: unknown; raw?: Uint8Array; headers?: Record<string, string> } = {}
): Promise<Answer> => {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token !== undefined) headers["authorization"] = `Bearer ${options.token}`
  let body: Uint8Array | string | undefined
  if (options.raw !== undefined) body = options.raw
  else if (options.body !== undefined) {
    headers["content-type"] = "application/json"
    body = JSON.stringify(options.body)
  }
  const res = await fetch(`${url}${route}`, { method, headers, ...(body === undefined ? {} : { body }) })
  const text = await res.text()
  let parsed: unknown = text
  try {
    parsed = JSON.parse(text)
  } catch {
    // not JSON (a blob)
  }
  return { status: res.status, body: parsed, headers: res.headers }
}

const DAY = 86_400_000

/** A registered account with real keys. */
export interface Member {
  readonly handle: Handle
  readonly accountId: AccountId
  readonly token: string
  readonly identity: KeyPair
  readonly ek: EncryptionKey
}

export const keysFor = (keyNumber = 1) =>
  run(
    Effect.gen(function* () {
      const identity = yield* generateIdentity
      const now = Date.now()
      const ek = yield* generateEncryptionKey(identity, {
        keyId: `ek_${keyNumber}`,
        notBefore: now - DAY,
        notAfter: now + 30 * DAY,
        seq: 1
      })
      return { identity, ek }
    })
  )

export const registrationBody = async (url: string, handle: string, code?: string) => {
  const { identity, ek } = await keysFor()
  const info = await call(url, "GET", "/v1/info")
  const proof = await run(makeRegistrationProof(identity, info.body.relayId, handle as Handle))
  const body = {
    handle,
    ikPub: toBase64Url(identity.publicKey),
    ek: { ...ek.record, pub: toBase64Url(ek.record.pub), sig: toBase64Url(ek.record.sig) },
    proof: toBase64Url(proof.sig),
    ts: proof.ts,
    ...(code === undefined ? {} : { registrationCode: code })
  }
  return { body, identity, ek }
}

let handleCounter = 0
export const register = async (url: string, prefix = "user", code?: string): Promise<Member> => {
  const handle = `${prefix}-${process.pid % 10000}-${handleCounter++}`
  const { body, identity, ek } = await registrationBody(url, handle, code)
  const res = await call(url, "POST", "/v1/accounts", { body, headers: { "x-forwarded-for": nextAddress() } })
  if (res.status !== 201) throw new Error(`register ${handle}: ${res.status} ${JSON.stringify(res.body)}`)
  return { handle: handle as Handle, accountId: res.body.accountId, token: res.body.token, identity, ek }
}

const party = (m: Member) => ({ identity: m.identity, handle: m.handle, accountId: m.accountId, ek: m.ek.record })

/** The real invite → add → accept flow between two accounts; returns the invite's secret. */
export const invite = async (url: string, inviter: Member, exp = Date.now() + DAY - 60_000) => {
  const { secret } = await run(newInvite)
  const { id, offer } = await run(makeOffer(secret, party(inviter), exp))
  const created = await call(url, "POST", "/v1/invites", {
    token: inviter.token,
    body: { id: toBase64Url(id), exp, offer: toBase64Url(offer) }
  })
  if (created.status !== 201) throw new Error(`invite: ${created.status} ${JSON.stringify(created.body)}`)
  return { secret, id: toBase64Url(id), offer }
}

export const redeem = async (url: string, redeemer: Member, inv: { secret: Uint8Array; id: string }) => {
  const looked = await call(url, "GET", `/v1/invites/${inv.id}`, { token: redeemer.token })
  if (looked.status !== 200) return looked
  const offer = fromBase64Url(looked.body.offer)
  if (offer._tag === "None") throw new Error("offer is not base64url")
  await run(
    openOffer(inv.secret, offer.value, { handle: looked.body.inviterHandle, accountId: looked.body.inviterAccountId })
  )
  const reply = await run(makeReply(inv.secret, offer.value, party(redeemer)))
  return call(url, "POST", `/v1/invites/${inv.id}/redeem`, {
    token: redeemer.token,
    body: { reply: toBase64Url(reply) }
  })
}

export const connect = async (url: string, a: Member, b: Member) => {
  const inv = await invite(url, a)
  const redeemed = await redeem(url, b, inv)
  if (redeemed.status !== 200) throw new Error(`redeem: ${redeemed.status} ${JSON.stringify(redeemed.body)}`)
  const listed = await call(url, "GET", "/v1/invites?state=redeemed", { token: a.token })
  const entry = listed.body.invites.find((i: { id: string }) => i.id === inv.id)
  const reply = fromBase64Url(entry.reply) as Option.Some<Uint8Array>
  await run(
    openReply(inv.secret, inv.offer, reply.value, { handle: entry.redeemerHandle, accountId: entry.redeemerAccountId })
  )
  const accepted = await call(url, "POST", `/v1/contacts/${b.handle}/accept`, { token: a.token })
  if (accepted.status !== 200) throw new Error(`accept: ${accepted.status} ${JSON.stringify(accepted.body)}`)
}

/** A SQLite relay process in a fresh home with two registered members who are each other's contacts. */
export const startPair = async (homePrefix: string, a: string, b: string) => {
  const relay = await startRelay({ home: tempDir(homePrefix) })
  const alice = await register(relay.url, a)
  const bob = await register(relay.url, b)
  await connect(relay.url, alice, bob)
  return { relay, url: relay.url, alice, bob }
}

let ulidCounter = 0
export const newMessageId = (): MessageId => {
  let rand = ""
  const n = ulidCounter++
  for (let i = 0; i < 16; i++) rand += CROCKFORD[(Math.floor(Math.random() * 32) + (i === 15 ? n : 0)) % 32]
  return (encodeTime(Date.now()) + rand) as MessageId
}

/** A real sealed envelope from `from` to `to`, as wire JSON. */
export const sealed = async (from: Member, to: Member, body = "hello", id: MessageId = newMessageId()) => {
  const envelope = await run(
    seal({
      id,
      exp: Math.floor(Date.now() / 1000) + 3600,
      from: { accountId: from.accountId, identity: from.identity },
      to: { accountId: to.accountId, handle: to.handle, ikPub: to.identity.publicKey, ek: to.ek.record },
      inner: { kind: "message", ts: Date.now(), fromHandle: from.handle, to: { any: true }, subject: "s", body }
    })
  )
  return encodeEnvelope(envelope)
}
