import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import {
  InvalidArgument,
  InvalidName,
  LockTimeout,
  MessageNotFound,
  NotAMember,
  RecipientNotFound,
  SessionNotFound,
  StoreError
} from "../../src/domain/Errors.js"
import {
  describeFailure,
  exitCodeOf,
  exitZeroOnInterrupt,
  handleCliErrors,
  makeExitState,
  setExitCode,
  usageError
} from "../../src/cli/Runtime.js"

describe("Runtime", () => {
  it("a local failure prints its code, message and CLI hint; infrastructure errors map to their codes", () => {
    assert.strictEqual(
      describeFailure(Cause.fail(new SessionNotFound({ message: "no session x", hint: "Run list-sessions." })), false),
      "error SESSION_NOT_FOUND: no session x\nhint: Run list-sessions."
    )
    // The CLI's hints name CLI commands, channel names quoted for the shell.
    assert.strictEqual(
      describeFailure(Cause.fail(new NotAMember({ channel: "x" })), false),
      "error NOT_A_MEMBER: you have not joined #x\nhint: Join it first: `session-bridge channel join '#x'` (with --as to join as another session)."
    )
    assert.strictEqual(
      describeFailure(Cause.fail(new RecipientNotFound({ by: "label", value: "bob" })), false),
      'error RECIPIENT_NOT_FOUND: no session matches label "bob"\nhint: Run `session-bridge list-sessions --all` to see who is there.'
    )
    assert.match(
      describeFailure(Cause.fail(new StoreError({ reason: "Io", path: "inbox/x", cause: new Error("EACCES") })), false),
      /^error STORE_IO: i\/o error at inbox\/x: EACCES\nhint: /
    )
    assert.match(
      describeFailure(Cause.fail(new LockTimeout({ name: "session-x", waitedMs: 2000 })), false),
      /^error LOCK_TIMEOUT: lock session-x still held after 2000 ms/
    )
  })

  it("an unexpected failure is one line without a stack trace unless verbose", () => {
    const cause = Cause.die(new Error("boom"))
    const quiet = describeFailure(cause, false)
    assert.strictEqual(quiet, "error INTERNAL: boom\nhint: run again with --verbose for details")
    const loud = describeFailure(cause, true)
    assert.match(loud, /^error INTERNAL: boom\n/)
    assert.match(loud, /at /)
  })

  it.effect("exit codes: success 0 or chosen, usage 2, failure 1, interrupted 130 or 0 when the command says so", () =>
    Effect.gen(function* () {
      const run = <A, E>(program: Effect.Effect<A, E>) =>
        Effect.gen(function* () {
          const state = makeExitState()
          const exit = yield* Effect.exit(program.pipe(handleCliErrors({ verbose: false }, state)))
          return exitCodeOf(exit, state)
        })
      assert.strictEqual(yield* run(Effect.void), 0)
      assert.strictEqual(yield* run(setExitCode(1)), 1)
      assert.strictEqual(yield* run(Effect.fail(usageError("bad", "do this"))), 2)
      // Bad input on the command line is a usage error wherever it is detected.
      assert.strictEqual(yield* run(Effect.fail(new InvalidArgument({ message: "x" }))), 2)
      assert.strictEqual(yield* run(Effect.fail(new InvalidName({ message: "x" }))), 2)
      assert.strictEqual(yield* run(Effect.fail(new MessageNotFound({ message: "x" }))), 1)
      assert.strictEqual(yield* run(Effect.interrupt), 130)
      assert.strictEqual(yield* run(Effect.zipRight(exitZeroOnInterrupt, Effect.interrupt)), 0)
      assert.strictEqual(exitCodeOf(Exit.die("x"), makeExitState()), 1)
    })
  )
})
