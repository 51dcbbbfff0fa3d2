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
      assert.match(direct.stderr, /^usage error: `mcp` runs only through the session-bridge executable/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("a subcommand's --help comes from @effect/cli", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["list-sessions", "--help"])
      assert.strictEqual(r.exitCode, 0)
      assert.match(r.stdout, /--all/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("--completions prints a shell script", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["--completions", "bash"])
      assert.strictEqual(r.exitCode, 0)
      assert.match(r.stdout, /complete -F/)
      assert.match(r.stdout, /list-sessions/)
    }).pipe(Effect.provide(cliTestLayer()))
  )

  it.effect("an unknown command exits 2", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["frobnicate"])
      assert.strictEqual(r.exitCode, 2)
      assert.strictEqual(r.stdout, "")
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
