import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Option, Queue, Stream, TestClock } from "effect"
import type { ListenEvent } from "../../src/relay/PgWaiters.js"
import * as PgWaiters from "../../src/relay/PgWaiters.js"
import { RelayStoreIo } from "../../src/relay/RelayErrors.js"
import { makeReplicaMemory } from "../../src/relay/ReplicaMemory.js"
import {
  INBOX_CHANNEL,
  INBOX_ROWS_MAX_CHARS,
  inboxRows,
  parseInbox,
  parseTokens,
  TOKENS_CHANNEL
} from "../../src/relay/sql/Notify.js"

/**
 * A LISTEN connection driven by the test: events one at a time as pushed; "lost" fails the stream as a dropped
 * connection does, and the listener's next run reads on from the same queue (its next connection).
 */
const scripted = (queue: Queue.Queue<ListenEvent | "lost">) =>
  Stream.repeatEffect(Queue.take(queue)).pipe(
    Stream.mapEffect((event) =>
      event === "lost"
        ? Effect.fail(new RelayStoreIo({ op: "listen", cause: new Error("terminated") }))
        : Effect.succeed(event)
    )
  )

const listening = (backendPid: number): ListenEvent => ({ _tag: "Listening", backendPid })
const notified = (payload: string, channel = INBOX_CHANNEL): ListenEvent => ({ _tag: "Notification", channel, payload })
const row = (seq: number, ct: ReadonlyArray<number>) => ({
  seq,
  senderId: 7,
  msgId: Uint8Array.from([seq, 0xff]),
  rk: "ek_1",
  ct: Uint8Array.from(ct),
  expiresAt: 1_700_000_000_000
})

describe("PgWaiters", () => {
  it.scoped("a notification wakes that recipient's waiters only; a bad payload wakes nobody", () =>
    Effect.gen(function* () {
      const events = yield* Queue.unbounded<ListenEvent | "lost">()
      const waiters = yield* PgWaiters.make(scripted(events))
      const one = yield* waiters.register(1)
      const two = yield* waiters.register(2)
      const other = yield* Effect.fork(two.await("25 seconds"))
      yield* Queue.offerAll(events, [
        listening(11),
        notified("not-an-id"),
        notified("-2"),
        notified("1"),
        notified("1")
      ])
      assert.isTrue(yield* one.await("25 seconds"))
      yield* Effect.yieldNow()
      assert.isTrue(Option.isNone(yield* Fiber.poll(other)))
      yield* TestClock.adjust("25 seconds")
      assert.isFalse(yield* Fiber.join(other))
    })
  )

  it.scoped("after the connection drops, the re-listen wakes every waiter so each re-queries", () =>
    Effect.gen(function* () {
      const events = yield* Queue.unbounded<ListenEvent | "lost">()
      const waiters = yield* PgWaiters.make(scripted(events))
      yield* Queue.offer(events, listening(11))
      const parked = yield* Effect.forEach([3, 4], (r) => waiters.register(r))
      const fibers = yield* Effect.forEach(parked, (w) => Effect.fork(w.await("25 seconds")))
      // The notification for 3 was sent while no connection listened: it never arrives.
      yield* Queue.offer(events, "lost")
      yield* Effect.yieldNow()
      yield* Queue.offer(events, listening(12))
      // Still parked during the reconnect backoff (at most 10 ms on the first attempt).
      assert.isTrue(Option.isNone(yield* Fiber.poll(fibers[0]!)))
      // Step the clock so the backoff sleep passes whenever the listener reaches it (1 s in all, far below 25 s).
      for (let i = 0; i < 10; i++) yield* TestClock.adjust("100 millis")
      assert.deepStrictEqual(yield* Effect.forEach(fibers, Fiber.join), [true, true])
      assert.strictEqual(yield* waiters.size, 0)
    })
  )

  it.scoped("the first LISTEN wakes nobody (no waiter can have missed a notification yet)", () =>
    Effect.gen(function* () {
      const events = yield* Queue.unbounded<ListenEvent | "lost">()
      const waiters = yield* PgWaiters.make(scripted(events))
      const w = yield* waiters.register(5)
      const fiber = yield* Effect.fork(w.await("25 seconds"))
      yield* Queue.offer(events, listening(11))
      yield* TestClock.adjust("1 second")
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust("25 seconds")
      assert.isFalse(yield* Fiber.join(fiber))
    })
  )

  it.scoped("with a memory: kept only while listening; notices move tails and drop tokens", () =>
    Effect.gen(function* () {
      const events = yield* Queue.unbounded<ListenEvent | "lost">()
      const memory = makeReplicaMemory(60_000)
      yield* PgWaiters.make(scripted(events), memory)
      const confirm = (recipient: number, upTo: number) =>
        memory.tails.observed(recipient, upTo, 0, memory.tails.readStarts())
      const cache = (key: string, id: number) => memory.tokens.set(key, id, memory.tokens.generation(), 0)
      // Not listening yet: nothing is kept.
      confirm(1, 5)
      cache("aa", 1)
      assert.isFalse(memory.tails.nothingAbove(1, 5, 1))
      assert.isUndefined(memory.tokens.get("aa", 1))
      yield* Queue.offer(events, listening(11))
      yield* TestClock.adjust("10 millis")
      confirm(1, 5)
      confirm(2, 5)
      cache("aa", 1)
      cache("bb", 1)
      cache("cc", 2)
      assert.isTrue(memory.tails.nothingAbove(1, 5, 1))
      yield* Queue.offerAll(events, [notified("1:6"), notified("aa", TOKENS_CHANNEL), notified("t:zz", TOKENS_CHANNEL)])
      yield* TestClock.adjust("10 millis")
      assert.isFalse(memory.tails.nothingAbove(1, 5, 1))
      assert.isTrue(memory.tails.nothingAbove(1, 6, 1))
      assert.strictEqual(memory.tokens.get("aa", 1), 1)
      yield* Queue.offerAll(events, [notified("t:aa", TOKENS_CHANNEL), notified("a:2", TOKENS_CHANNEL)])
      yield* TestClock.adjust("10 millis")
      assert.isUndefined(memory.tokens.get("aa", 1))
      assert.strictEqual(memory.tokens.get("bb", 1), 1)
      assert.isUndefined(memory.tokens.get("cc", 1))
      // An earlier release's notice has no seq: every tail starts over.
      yield* Queue.offer(events, notified("2"))
      yield* TestClock.adjust("10 millis")
      assert.isFalse(memory.tails.nothingAbove(2, 5, 1))
      // Lost: nothing kept until the next LISTEN.
      confirm(1, 6)
      yield* Queue.offer(events, "lost")
      yield* TestClock.adjust("1 millis")
      assert.isFalse(memory.tails.nothingAbove(1, 6, 1))
      assert.isUndefined(memory.tokens.get("bb", 1))
      confirm(1, 6)
      assert.isFalse(memory.tails.nothingAbove(1, 6, 1))
      yield* Queue.offer(events, listening(12))
      for (let i = 0; i < 10; i++) yield* TestClock.adjust("100 millis")
      confirm(1, 6)
      assert.isTrue(memory.tails.nothingAbove(1, 6, 1))
    })
  )

  it("notices: rows round-trip; rows that do not parse or do not run densely up to the seq are left out", () => {
    const rows = [row(5, [1, 2, 255]), row(6, [0, 0x27, 0x3b])]
    const tail = inboxRows(rows)!
    assert.match(tail, /^:[0-9A-Za-z_.;:-]+$/)
    assert.deepStrictEqual(parseInbox(`12:6${tail}`), { recipientId: 12, seq: 6, rows })
    // Not up to the notice's seq, out of order, repeated, a field short, a bad rk: the notice still wakes, no rows.
    const [five, six] = tail.slice(1).split(";")
    for (const broken of [
      `:${five}`,
      `:${six};${five}`,
      `:${five};${five}`,
      ":1.2.3",
      `:${five!.replace(".ek_1.", ".e.k.")}`
    ])
      assert.deepStrictEqual(parseInbox(`12:6${broken}`), { recipientId: 12, seq: 6, rows: undefined }, broken)
    assert.deepStrictEqual(parseInbox("1:2:3"), { recipientId: 1, seq: 2, rows: undefined })
    // What cannot travel as those characters, or does not fit in a notice, is not offered.
    assert.isUndefined(inboxRows([{ ...rows[0]!, rk: "ek'1" }]))
    assert.isUndefined(inboxRows([{ ...rows[0]!, ct: new Uint8Array(INBOX_ROWS_MAX_CHARS) }]))
    assert.isUndefined(inboxRows([]))
  })

  it.scoped("a notice's rows are handed to the parked poll; notices before one drain join only while dense", () =>
    Effect.gen(function* () {
      const events = yield* Queue.unbounded<ListenEvent | "lost">()
      const waiters = yield* PgWaiters.make(scripted(events))
      yield* Queue.offer(events, listening(11))
      const parked = yield* waiters.register(1)
      const rows = [row(1, [9]), row(2, [8])]
      yield* Queue.offer(events, notified(`1:2${inboxRows(rows)}`))
      assert.deepStrictEqual(yield* parked.await("25 seconds"), rows)
      const notice = (seq: number) => ({ recipientId: 1, seq, rows: [row(seq, [seq])] })
      const dirty = new Map([[1, [row(3, [3])]]])
      assert.deepStrictEqual(PgWaiters.joined(dirty, notice(4)), [row(3, [3]), row(4, [4])])
      assert.isUndefined(PgWaiters.joined(dirty, notice(5)))
      assert.isUndefined(PgWaiters.joined(new Map([[1, undefined]]), notice(4)))
      assert.deepStrictEqual(PgWaiters.joined(new Map(), notice(4)), [row(4, [4])])
    })
  )

  it("notices: hostile or malformed payloads are refused", () => {
    assert.deepStrictEqual(parseInbox("12:34"), { recipientId: 12, seq: 34 })
    assert.deepStrictEqual(parseInbox("12"), { recipientId: 12, seq: undefined })
    for (const bad of ["", ":", "0", "-1", "1:0", "1:-2", "x", "1e3", "12:", " 1", "9".repeat(16), "1:x:2"])
      assert.isUndefined(parseInbox(bad), bad)
    assert.deepStrictEqual(parseTokens("t:0aff"), { _tag: "Token", hashHex: "0aff" })
    assert.deepStrictEqual(parseTokens("a:9"), { _tag: "Account", accountId: 9 })
    for (const bad of ["", "t:", "t:AB", "t:zz", "a:", "a:0", "a:x", "x:1", "t:" + "a".repeat(130)])
      assert.isUndefined(parseTokens(bad), bad)
  })
})
