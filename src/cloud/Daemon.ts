import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Queue from "effect/Queue"
import * as Ref from "effect/Ref"
import { type Account, requireAccount } from "./Account.js"
import { Store } from "../services/store/Store.js"
import { CloudHome } from "./CloudHome.js"
import { CloudLayout } from "./CloudLayout.js"
import { pruneInvites, syncContacts } from "./Contacts.js"
import { claimDaemonPid } from "./DaemonPid.js"
import { adoptRotations, selfOf } from "./IdentityContinuity.js"
import { processBatch } from "./Inbound.js"
import { rotateIfDue } from "./KeyRotation.js"
import { backoffMs, pumpOnce } from "./Outbox.js"
import { makeReceiptGate, type ReceiptGate } from "./ReceiptGate.js"
import { atMostEvery } from "./AtMostEvery.js"
import { makeReceiptQueue } from "./Receipts.js"
import { sentRefresher } from "./SentStates.js"
import { fetchPresence, publishPresence } from "./Presence.js"
import { PRESENCE_FETCH_MS, PRESENCE_INTERVAL_MS } from "./PresenceCache.js"
import { RelayClient } from "./RelayClient.js"
import { makeRelayContactsCache, type RelayContactsCache } from "./RelayContactsCache.js"
import { tokenReplaced } from "./TokenRotation.js"
import { deliverUnrouted } from "./Unrouted.js"

/*
 * The daemon (CLOUD.md 2.7-2.11): the only networked process of a home. Three fibers share one view of the relay's
 * reachability — the outbox pump (woken by any write to the outbox, else every second; with delivery of held
 * messages to sessions that became live), the inbox loop
 * (long-poll, exactly-once processing) and presence (contacts' states, publish, fetch, key rotation). A network
 * error is logged once per outage; every loop retries forever with backoff and jitter. A revoked or unknown token
 * (RELAY_AUTH) stops the daemon: nothing can succeed until the account is fixed. Logs never carry a body, a subject
 * or a token.
 */

export interface DaemonOptions {
  /** How often this machine's presence is published (30 s). */
  readonly presenceIntervalMs: number
  /** How often contacts' presence and states are fetched (15 s). */
  readonly fetchIntervalMs: number
  /** The long-poll's wait (25 s). */
  readonly waitSeconds: number
  /** How often the outbox and the held messages are looked at (1 s) when nothing is written to the outbox. */
  readonly pumpIntervalMs: number
  /** How often key rotation is checked (1 h). */
  readonly rotationCheckMs: number
}

export const defaultOptions: DaemonOptions = {
  presenceIntervalMs: PRESENCE_INTERVAL_MS,
  fetchIntervalMs: PRESENCE_FETCH_MS,
  waitSeconds: 25,
  pumpIntervalMs: 1_000,
  rotationCheckMs: 60 * 60 * 1000
}

interface Coded {
  readonly _tag: string
  readonly message: string
  readonly code?: string
}

const codeOf = (e: Coded) => e.code ?? e._tag

/** Reachability shared by the fibers: one line when the relay goes away, one when it answers again. */
export const makeLink = Effect.map(Ref.make(true), (up) => ({
  ok: Effect.flatMap(Ref.getAndSet(up, true), (was) => (was ? Effect.void : Effect.logInfo("relay_reachable"))),
  down: (e: Coded) =>
    Effect.flatMap(Ref.getAndSet(up, false), (was) =>
      was
        ? Effect.logWarning("relay_unreachable").pipe(Effect.annotateLogs({ code: "RELAY_UNREACHABLE" }))
        : Effect.void
    ).pipe(Effect.annotateLogs({ detail: e.message.slice(0, 200) }))
}))
export type Link = Effect.Effect.Success<typeof makeLink>

/** How a loop tells a rotated token from a revoked one: the token a step used, and whether another replaced it. */
export interface TokenWatch<R> {
  readonly used: Effect.Effect<string | undefined, never, R>
  readonly replaced: (used: string) => Effect.Effect<boolean, never, R>
}

/** The token in credentials.json, and `tokenReplaced` (a `cloud token rotate` ran, or its pending token is live). */
const credentialsWatch: TokenWatch<CloudHome | RelayClient> = {
  used: Effect.map(
    Effect.flatMap(CloudHome, (home) => home.credentials),
    (c) => (c._tag === "Some" ? c.value.token : undefined)
  ).pipe(Effect.orElseSucceed(() => undefined)),
  replaced: (used) => tokenReplaced(used).pipe(Effect.orElseSucceed(() => false))
}

/**
 * Runs `step` forever, `pause` apart, or sooner when `wake` completes during the pause. A failure other than
 * RELAY_AUTH is logged (network errors once per outage) and retried after a backoff that grows with consecutive
 * failures. RELAY_AUTH ends the loop with that failure, unless `watch` finds the token replaced (rotated) since
 * the step began: then the loop goes on with the new one.
 */
export const loop = <E extends Coded, R>(
  name: string,
  link: Link,
  step: Effect.Effect<void, E, R>,
  pause: Effect.Effect<number, never, R>,
  wake: Effect.Effect<void> = Effect.never,
  watch?: TokenWatch<R>
) =>
  Effect.gen(function* () {
    let failures = 0
    while (true) {
      const used = watch === undefined ? undefined : yield* watch.used
      const outcome = yield* Effect.either(step)
      if (outcome._tag === "Right") {
        failures = 0
        yield* Effect.raceFirst(Effect.sleep(yield* pause), wake)
        continue
      }
      const e = outcome.left
      if (e._tag === "RelayAuth") {
        if (watch === undefined || used === undefined || !(yield* watch.replaced(used))) return yield* Effect.fail(e)
        yield* Effect.logInfo("token_reloaded").pipe(Effect.annotateLogs({ loop: name }))
        continue
      }
      failures++
      if (e._tag === "RelayUnreachable") yield* link.down(e)
      else
        yield* Effect.logWarning(`${name}_failed`).pipe(
          Effect.annotateLogs({ code: codeOf(e), detail: e.message.slice(0, 200) })
        )
      yield* Effect.sleep(
        e._tag === "RateLimited" && "retryAfterMs" in e ? Number(e.retryAfterMs) : yield* backoffMs(failures)
      )
    }
  })

const SENT_REFRESH_MS = 15_000

/**
 * Set by the store's watch on the outbox directory (a send queued by a session or `contact send`, in any process),
 * taken by the pump's pause: a queued message leaves at once instead of at the next interval. Several changes
 * before the pump looks again are one wake-up.
 */
const outboxWake = Effect.gen(function* () {
  const signal = yield* Queue.sliding<void>(1)
  yield* (yield* Store).subscribe(CloudLayout.outboxDir, () => void Queue.unsafeOffer(signal, undefined))
  return signal
})

/** The outbox pump and the delivery of held (unrouted) messages to sessions that became live. */
const pumpFiber = (
  options: DaemonOptions,
  link: Link,
  wake: Queue.Queue<void>,
  contacts: RelayContactsCache,
  gate: ReceiptGate
) =>
  Effect.gen(function* () {
    const scanEvery = yield* atMostEvery(options.pumpIntervalMs)
    const refreshSentEvery = yield* sentRefresher(SENT_REFRESH_MS)
    const queueReceipts = yield* makeReceiptQueue(gate.clear)
    return yield* loop(
      "outbox",
      link,
      Effect.gen(function* () {
        // What is written from here on wakes the next pause; what was written before, this pass sees.
        yield* Queue.takeAll(wake)
        const account = yield* requireAccount
        // What is queued leaves first (messages before receipts); the scan for receipts comes after it, and the
        // receipts it queues wake the next pass (their writes to the outbox do), so a send never waits behind it.
        const pumped = yield* pumpOnce(account.credentials, contacts, gate.clear)
        if (pumped.stored + pumped.refused > 0)
          yield* Effect.logInfo("outbox_sent").pipe(Effect.annotateLogs({ ...pumped }))
        // Receipts for what this home's sessions surfaced or read go out with the rest of the outbox: only markers
        // that appeared since the last scan are looked at, and each receipt waits for the gate (ReceiptGate.ts).
        // One scan an interval: the passes a write to the outbox wakes send without scanning (ADR-0058).
        yield* scanEvery(
          Effect.tap(queueReceipts, (receipts) =>
            receipts.surfaced + receipts.read > 0
              ? Effect.logInfo("receipts_queued").pipe(Effect.annotateLogs({ ...receipts }))
              : Effect.void
          )
        )
        // What the relay knows of messages already stored (delivered, expired, refused), asked at most every 15 s.
        yield* refreshSentEvery(account.credentials)
        // The session registry is read only while something is held.
        if ((yield* (yield* Store).list(CloudLayout.unroutedDir)).length === 0) return
        const held = yield* deliverUnrouted
        if (held.delivered + held.dropped + held.expired > 0)
          yield* Effect.logInfo("unrouted_delivered").pipe(
            Effect.annotateLogs({
              delivered: held.delivered,
              dropped: held.dropped,
              expired: held.expired,
              held: held.held
            })
          )
      }),
      Effect.succeed(options.pumpIntervalMs),
      Queue.take(wake),
      credentialsWatch
    )
  })

/** The inbox loop: long-poll after the cursor, then one batch processed without interruption. */
const inboxFiber = (options: DaemonOptions, link: Link, gate: ReceiptGate) =>
  loop(
    "inbox",
    link,
    Effect.gen(function* () {
      const account = yield* requireAccount
      const home = yield* CloudHome
      const response = yield* (yield* RelayClient).inbox(
        account.credentials.token,
        yield* home.cursor,
        options.waitSeconds
      )
      yield* link.ok
      if (response.messages.length === 0) return
      // Receipts wait while the batch's messages are written (ReceiptGate.ts). The next poll, at once, acks it.
      const result = yield* Effect.uninterruptible(
        gate.during(processBatch(account.credentials, response.messages, { ack: false }))
      )
      yield* Effect.logInfo("inbox_batch").pipe(Effect.annotateLogs({ ...result }))
    }),
    Effect.succeed(0),
    Effect.never,
    credentialsWatch
  )

/** Contacts' states, this machine's presence, contacts' presence, and key rotation when due. */
const presenceFiber = (options: DaemonOptions, link: Link, contacts: RelayContactsCache) =>
  Effect.gen(function* () {
    let lastPublish = Number.NEGATIVE_INFINITY
    let lastRotationCheck = Number.NEGATIVE_INFINITY
    let publishedSeq = 0
    const tick = Effect.gen(function* () {
      const account: Account = yield* requireAccount
      const now = yield* Clock.currentTimeMillis
      if (now - lastRotationCheck >= options.rotationCheckMs) {
        const rotation = yield* rotateIfDue(account, publishedSeq)
        publishedSeq = rotation.publishedSeq
        lastRotationCheck = now
        const pruned = yield* pruneInvites
        if (pruned > 0) yield* Effect.logInfo("invites_expired").pipe(Effect.annotateLogs({ removed: pruned }))
        if (rotation.rotated || rotation.shredded.length > 0)
          yield* Effect.logInfo("encryption_key_rotated").pipe(
            Effect.annotateLogs({ keyId: rotation.keyId, seq: rotation.seq, shredded: rotation.shredded.length })
          )
      }
      const listed = yield* (yield* RelayClient).contacts(account.credentials.token)
      yield* link.ok
      yield* adoptRotations(selfOf(account), listed)
      // The pump seals to this list for the next 15 s instead of reading it again before each send.
      yield* contacts.put(listed)
      const sync = yield* syncContacts(listed)
      for (const handle of sync.activated) yield* Effect.logInfo("contact_active").pipe(Effect.annotateLogs({ handle }))
      for (const handle of sync.revoked) yield* Effect.logInfo("contact_revoked").pipe(Effect.annotateLogs({ handle }))
      for (const handle of sync.keyChanged)
        yield* Effect.logWarning("contact_key_changed").pipe(Effect.annotateLogs({ handle, code: "KEY_CHANGED" }))
      if (now - lastPublish >= options.presenceIntervalMs) {
        yield* publishPresence(yield* requireAccount, listed)
        lastPublish = now
      }
      const fetched = yield* fetchPresence(account)
      if (fetched.dropped > 0)
        yield* Effect.logWarning("presence_dropped").pipe(Effect.annotateLogs({ dropped: fetched.dropped }))
    })
    return yield* loop("presence", link, tick, Effect.succeed(options.fetchIntervalMs), Effect.never, credentialsWatch)
  })

/**
 * The daemon: refuses exposed key files and a second daemon on the home, then runs its fibers until interrupted
 * (SIGINT/SIGTERM) or until the relay refuses the token.
 */
export const daemon = (options: DaemonOptions) =>
  Effect.scoped(
    Effect.gen(function* () {
      const account = yield* requireAccount
      yield* (yield* CloudHome).checkKeyModes
      const claimed = yield* claimDaemonPid
      yield* Effect.logInfo("daemon_started").pipe(
        Effect.annotateLogs({
          pid: claimed.pid,
          handle: account.credentials.handle,
          relay: account.credentials.relayUrl
        })
      )
      yield* Effect.addFinalizer(() => Effect.logInfo("daemon_stopped"))
      const link = yield* makeLink
      const wake = yield* outboxWake
      const contacts = yield* makeRelayContactsCache()
      const gate = yield* makeReceiptGate
      yield* Effect.all(
        [
          pumpFiber(options, link, wake, contacts, gate),
          inboxFiber(options, link, gate),
          presenceFiber(options, link, contacts)
        ],
        { concurrency: "unbounded", discard: true }
      )
    })
  )
