import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { preprocessArgv } from "../../src/cli/main.js"
import { runCli } from "./harness.js"
import { cliTestLayer } from "./layers.js"

describe("root", () => {
  it.effect("no arguments and --help print the grouped help", () =>
    Effect.gen(function* () {
      for (const args of [[], ["--help"], ["-h"]]) {
        const r = yield* runCli(args)
        assert.strictEqual(r.exitCode, 0)
        const order = ["Sessions", "Maintenance", "Run by host CLIs", "Options"].map((h) => r.stdout.indexOf(`\n${h}`))
        assert.isTrue(
          order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1]!)),
          r.stdout
        )
        assert.match(r.stdout, /\n {2}list-sessions +List sessions/)
        assert.notInclude(r.stdout, "\u001b[")
      }
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("mcp and hook have help (bin.ts runs them before @effect/cli otherwise)", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["hook", "--help"])
      assert.strictEqual(r.exitCode, 0)
      assert.match(r.stdout, /--provider/)
      const direct = yield* runCli(["mcp"])
      assert.strictEqual(direct.exitCode, 2)
      assert.match(direct.stderr, /^error INVALID_ARGUMENT: `mcp` runs only through the session-bridge executable/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("a subcommand's --help is rendered from the command table, like gh", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["list-sessions", "--help"])
      assert.strictEqual(r.exitCode, 0)
      assert.match(r.stdout, /^List sessions.*\n\nUSAGE\n {2}session-bridge list-sessions \[flags\]\n/)
      assert.match(r.stdout, /\n {2}--all +Include offline sessions/)
      assert.match(r.stdout, /\nEXAMPLES\n {2}\$ session-bridge list-sessions --all/)
      // None of the framework's filler or internal flags.
      for (const noise of ["--wizard", "--log-level", "--completions", "This setting is optional", "A true or false"])
        assert.notInclude(r.stdout, noise)
      const viaHelp = yield* runCli(["help", "list-sessions"])
      assert.strictEqual(viaHelp.stdout, r.stdout)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("a command group alone shows its help, listing its subcommands", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["channel"])
      assert.strictEqual(r.exitCode, 0)
      assert.strictEqual(r.stdout, (yield* runCli(["channel", "--help"])).stdout)
      assert.match(r.stdout, /\nUSAGE\n {2}session-bridge channel <command>\n\nCOMMANDS\n {2}list +List channels/)
      assert.match((yield* runCli(["artifact"])).stdout, /\n {2}save +Write an artifact's bytes to a file/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("the framework's own flags are refused as unknown", () =>
    Effect.gen(function* () {
      for (const args of [
        ["--completions", "bash"],
        ["send-message", "--wizard"],
        ["gc", "--log-level", "debug"]
      ]) {
        const r = yield* runCli(args)
        assert.strictEqual(r.exitCode, 2, args.join(" "))
        assert.match(r.stderr, /^error INVALID_ARGUMENT: unknown flag --/)
        assert.strictEqual(r.stdout, "")
      }
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("an unknown command exits 2 with a did-you-mean", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["frobnicate"])
      assert.strictEqual(r.exitCode, 2)
      assert.strictEqual(r.stdout, "")
      const typo = yield* runCli(["chanel", "list"])
      assert.strictEqual(typo.exitCode, 2)
      assert.match(typo.stderr, /^error INVALID_ARGUMENT: unknown command "chanel" for "session-bridge"\n/)
      assert.match(typo.stderr, /hint: Did you mean `session-bridge channel`\?/)
      const sub = yield* runCli(["channel", "jion", "#x"])
      assert.match(sub.stderr, /Did you mean `session-bridge channel join`\?/)
      const help = yield* runCli(["help", "sned-message"])
      assert.strictEqual(help.exitCode, 2)
      assert.match(help.stderr, /Did you mean `session-bridge send-message`\?/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("parse errors read `error INVALID_ARGUMENT: …` with a hint to the command's help, exit 2", () =>
    Effect.gen(function* () {
      const bad = yield* runCli(["tail-inbox", "--limit", "abc"])
      assert.strictEqual(bad.exitCode, 2)
      assert.match(
        bad.stderr,
        /^error INVALID_ARGUMENT: .*abc.*\nhint: Run `session-bridge tail-inbox --help` for usage\.\n$/
      )
      const unknown = yield* runCli(["list-sessions", "--bogus"])
      assert.strictEqual(unknown.exitCode, 2)
      assert.match(unknown.stderr, /^error INVALID_ARGUMENT: unknown flag --bogus\n/)
      assert.notInclude(bad.stderr + unknown.stderr, "\u001b[")
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it("--verbose is taken from anywhere before `--`", () => {
    assert.deepStrictEqual(preprocessArgv(["n", "s", "list-sessions", "--verbose"]), {
      args: ["n", "s", "list-sessions"],
      verbose: true
    })
    assert.deepStrictEqual(preprocessArgv(["n", "s", "x", "--", "--verbose"]), {
      args: ["n", "s", "x", "--", "--verbose"],
      verbose: false
    })
  })
})

describe("version", () => {
  it.effect("prints version, node, home and layout; --json for scripts", () =>
    Effect.gen(function* () {
      const text = yield* runCli(["version"])
      assert.match(text.stdout, /^session-bridge \S+\nnode v20\.0\.0-test\nhome memory:\nlayout v1\n$/)
      const json = JSON.parse((yield* runCli(["version", "--json"])).stdout)
      assert.deepStrictEqual(Object.keys(json), ["version", "node", "home", "layoutVersion"])
    }).pipe(Effect.provide(cliTestLayer()))
  )
})
