import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Either, Exit, Fiber, Option } from "effect"
import * as GroupCommit from "../../src/relay/GroupCommit.js"

interface Item {
  readonly id: number
  readonly size?: number
  /** The batch run fails whole when it holds this item with others. */
  readonly poison?: boolean
  /** This item is refused (its own failed Exit). */
  readonly refuse?: boolean
}

const options = { maxCount: 100, maxBytes: 1_000_000, sizeOf: (i: Item) => i.size ?? 1, writers: 1 }

/** A fake transaction: records every batch; the first waits for `gate` (a commit in flight). */
const recorder = (gate: Deferred.Deferred<void>) => {
  const batches: Array<Array<number>> = []
  const run = (items: ReadonlyArray<Item>) =>
    Effect.gen(function* () {
      batches.push(items.map((i) => i.id))
      if (batches.length === 1) yield* Deferred.await(gate)
      if (items.length > 1 && items.some((i) => i.poison)) return yield* Effect.fail("deadlock")
      if (items.length === 1 && items[0]!.poison) return yield* Effect.fail("still failing")
      return items.map((i) => (i.refuse ? Exit.fail(`refused ${i.id}`) : Exit.succeed(i.id * 10)))
    })
  return { batches, run }
}

describe("GroupCommit", () => {
  it.scopedLive("writes that arrive while a commit is in flight go together in the next one, answered after it", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { batches, run } = recorder(gate)
      const submit = yield* GroupCommit.make(run, (cause) => `io: ${String(cause)}`, options)
      const first = yield* Effect.fork(submit({ id: 1 }))
      yield* Effect.yieldNow()
      const rest = yield* Effect.forEach([2, 3, 4, 5], (id) => Effect.fork(submit({ id })))
      yield* Effect.sleep("20 millis")
      // The first batch has not committed: nobody is answered yet, and the others wait in one queue.
      assert.deepStrictEqual(batches, [[1]])
      assert.isTrue(Option.isNone(yield* Fiber.poll(rest[0]!)))
      assert.isTrue(Option.isNone(yield* Fiber.poll(first)))
      yield* Deferred.succeed(gate, undefined)
      assert.strictEqual(yield* Fiber.join(first), 10)
      assert.deepStrictEqual(yield* Effect.forEach(rest, Fiber.join), [20, 30, 40, 50])
      assert.deepStrictEqual(batches, [[1], [2, 3, 4, 5]])
    })
  )

  it.scopedLive("a busy writer waits lingerMs for sends still in flight; an idle one goes at once", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* Deferred.succeed(gate, undefined)
      const { batches, run } = recorder(gate)
      const submit = yield* GroupCommit.make(run, String, { ...options, lingerMs: 60 })
      // Idle writer: the first send is written alone, at once.
      yield* submit({ id: 1 })
      // Just after a commit (busy): a send arriving 20 ms after the next one still joins its batch.
      const a = yield* Effect.fork(submit({ id: 2 }))
      yield* Effect.sleep("20 millis")
      const b = yield* Effect.fork(submit({ id: 3 }))
      yield* Fiber.join(a)
      yield* Fiber.join(b)
      assert.deepStrictEqual(batches, [[1], [2, 3]])
    })
  )

  it.scopedLive("a batch holds at most maxCount items and maxBytes bytes (a bigger single item goes alone)", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { batches, run } = recorder(gate)
      const submit = yield* GroupCommit.make(run, String, { ...options, maxCount: 3, maxBytes: 100 })
      const first = yield* Effect.fork(submit({ id: 0 }))
      yield* Effect.yieldNow()
      const sizes = [10, 10, 10, 10, 60, 60, 500, 10]
      const fibers = yield* Effect.forEach(sizes, (size, i) => Effect.fork(submit({ id: i + 1, size })))
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(first)
      yield* Effect.forEach(fibers, Fiber.join)
      assert.deepStrictEqual(batches, [[0], [1, 2, 3], [4, 5], [6], [7], [8]])
    })
  )

  it.scopedLive("one item's refusal fails only that item; a batch that fails whole is written again item by item", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { batches, run } = recorder(gate)
      const submit = yield* GroupCommit.make(run, (cause) => `io: ${String(cause)}`, options)
      const first = yield* Effect.fork(submit({ id: 1 }))
      yield* Effect.yieldNow()
      const items: ReadonlyArray<Item> = [{ id: 2 }, { id: 3, refuse: true }, { id: 4, poison: true }, { id: 5 }]
      const fibers = yield* Effect.forEach(items, (item) => Effect.fork(Effect.either(submit(item))))
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(first)
      const outcomes = yield* Effect.forEach(fibers, Fiber.join)
      assert.deepStrictEqual(outcomes, [
        Either.right(20),
        Either.left("refused 3"),
        Either.left("io: still failing"),
        Either.right(50)
      ])
      assert.deepStrictEqual(batches, [[1], [2, 3, 4, 5], [2], [3], [4], [5]])
    })
  )

  it.scopedLive(
    "a detached item returns at once, joins the batch of the waiting ones, and settles with its outcome",
    () =>
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>()
        const { batches, run } = recorder(gate)
        const submit = yield* GroupCommit.make(run, (cause) => `io: ${String(cause)}`, options)
        const settled: Array<string> = []
        const note = (id: number) => (exit: Exit.Exit<number, string>) =>
          Effect.sync(() => void settled.push(`${id}:${Exit.isSuccess(exit) ? exit.value : Exit.isFailure(exit)}`))
        const first = yield* Effect.fork(submit({ id: 1 }))
        yield* Effect.sleep("10 millis")
        // Queued while the first batch is in flight: the call does not wait for any commit.
        yield* submit.detached({ id: 2 }, note(2))
        yield* submit.detached({ id: 3, refuse: true }, note(3))
        // A settle that fails or dies takes nothing else down.
        yield* submit.detached({ id: 4 }, () => Effect.die("a broken settle"))
        const last = yield* Effect.fork(submit({ id: 5 }))
        assert.deepStrictEqual(settled, [])
        yield* Deferred.succeed(gate, undefined)
        assert.strictEqual(yield* Fiber.join(first), 10)
        assert.strictEqual(yield* Fiber.join(last), 50)
        assert.deepStrictEqual(batches, [[1], [2, 3, 4, 5]])
        assert.deepStrictEqual(settled, ["2:20", "3:true"])
        // The writer still takes items after the broken settle.
        assert.strictEqual(yield* submit({ id: 6 }), 60)
      })
  )

  it.live("a detached item still queued when the store closes settles as failed", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { run } = recorder(gate)
      const outcome = yield* Deferred.make<string>()
      yield* Effect.scoped(
        Effect.gen(function* () {
          const submit = yield* GroupCommit.make(run, (cause) => `io: ${String(cause)}`, options)
          yield* Effect.fork(submit({ id: 1 }))
          yield* Effect.yieldNow()
          yield* submit.detached({ id: 2 }, (exit) =>
            Deferred.succeed(outcome, Exit.isFailure(exit) ? String(Exit.causeOption(exit)) : "stored")
          )
          yield* Effect.fork(Effect.delay(Deferred.succeed(gate, undefined), "10 millis"))
        })
      )
      assert.include(yield* Deferred.await(outcome), "io: the store is closing")
    })
  )

  it.live("items still queued when the store closes fail instead of waiting forever", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const { run } = recorder(gate)
      const queued = yield* Effect.scoped(
        Effect.gen(function* () {
          const submit = yield* GroupCommit.make(run, (cause) => `io: ${String(cause)}`, options)
          yield* Effect.fork(submit({ id: 1 }))
          yield* Effect.yieldNow()
          const waiting = yield* Effect.fork(Effect.either(submit({ id: 2 })))
          yield* Effect.yieldNow()
          // Let the in-flight batch finish while the scope closes.
          yield* Effect.fork(Effect.delay(Deferred.succeed(gate, undefined), "10 millis"))
          return waiting
        })
      )
      assert.deepStrictEqual(yield* Fiber.join(queued), Either.left("io: the store is closing"))
    })
  )

  it.scopedLive("with a count of arriving items, a writer waits for them; with none arriving it goes at once", () =>
    Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      yield* Deferred.succeed(gate, undefined)
      const { batches, run } = recorder(gate)
      let arriving = 0
      const submit = yield* GroupCommit.make(run, String, {
        ...options,
        arriving: () => arriving,
        arrivalGapMs: 200,
        arrivalWaitMs: 2_000
      })
      // Nothing arriving: written alone, at once.
      yield* submit({ id: 1 })
      // Two more on their way: the batch that takes the first waits for both.
      arriving = 2
      const a = yield* Effect.fork(submit({ id: 2 }))
      yield* Effect.sleep("30 millis")
      arriving = 1
      const b = yield* Effect.fork(submit({ id: 3 }))
      yield* Effect.sleep("30 millis")
      arriving = 0
      const c = yield* Effect.fork(submit({ id: 4 }))
      yield* Effect.forEach([a, b, c], Fiber.join)
      assert.deepStrictEqual(batches, [[1], [2, 3, 4]])
      // One that never comes (a send refused on its way): the wait ends `arrivalGapMs` after the last arrival.
      arriving = 1
      const started = Date.now()
      yield* submit({ id: 5 })
      const waited = Date.now() - started
      assert.isAtLeast(waited, 150)
      assert.isBelow(waited, 1_500)
      assert.deepStrictEqual(batches[2], [5])
    })
  )
})
