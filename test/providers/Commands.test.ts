import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { BridgeLayer } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import * as HostConfig from "../../src/services/HostConfig.js"
import { runCli } from "../cli/harness.js"
import { memoryInfra } from "../support/layers.js"

const HOME = "/home/tester"

const layer = (seed: HostConfig.MemorySeed = {}, env: Record<string, string> = {}) =>
  Layer.mergeAll(BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer)), HostConfig.layerMemory(seed)).pipe(
    Layer.provideMerge(memoryInfra({ home: HOME, cwd: "/work/project", env }))
  )

const files = Effect.flatMap(HostConfig.MemoryHostConfig, (m) => m.snapshot)

describe("init / uninstall / plugin commands", () => {
  it.effect("--dry-run prints a unified diff and writes nothing", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["init", "--provider", "claude-code", "--dry-run"])
      assert.strictEqual(r.exitCode, 0)
      assert.include(r.stdout, "--- /dev/null\n+++ b/home/tester/.claude.json")
      assert.include(r.stdout, '+      "command": "/usr/bin/node",')
      assert.include(r.stdout, "hook UserPromptSubmit --provider claude-code")
      assert.deepStrictEqual(yield* files, {})
    }).pipe(Effect.provide(layer()))
  )

  it.effect("a second init says it is already installed and changes nothing", () =>
    Effect.gen(function* () {
      const first = yield* runCli(["init", "--provider", "codex", "--label", "builder"])
      assert.strictEqual(first.exitCode, 0)
      assert.include(first.stdout, "codex: changed 2 files")
      const after = yield* files
      assert.include(after[`${HOME}/.codex/config.toml`] ?? "", 'SESSION_BRIDGE_LABEL = "builder"')
      const second = yield* runCli(["init", "--provider", "codex"])
      assert.include(second.stdout, "codex: already installed, nothing to change")
      assert.deepStrictEqual(yield* files, after)
    }).pipe(Effect.provide(layer()))
  )

  it.effect("without --provider, the host named by the environment is chosen", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["init", "--json"])
      assert.strictEqual(r.exitCode, 0)
      const report = JSON.parse(r.stdout)
      assert.strictEqual(report.detectedBy, "env")
      assert.deepStrictEqual(
        report.providers.map((p: { provider: string }) => p.provider),
        ["gemini-cli"]
      )
    }).pipe(Effect.provide(layer({}, { GEMINI_CLI: "1" })))
  )

  it.effect("without --provider and nothing detected: PROVIDER_UNKNOWN", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["init"])
      assert.strictEqual(r.exitCode, 1)
      assert.include(r.stderr, "PROVIDER_UNKNOWN")
    }).pipe(Effect.provide(layer()))
  )

  it.effect("host config folders found on disk are chosen when no env marker is set", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["init", "--json", "--dry-run"])
      const report = JSON.parse(r.stdout)
      assert.strictEqual(report.detectedBy, "installed")
      assert.deepStrictEqual(
        report.providers.map((p: { provider: string }) => p.provider),
        ["opencode"]
      )
    }).pipe(Effect.provide(layer({ [`${HOME}/.config/opencode/opencode.json`]: "{}\n" })))
  )

  it.effect("an unknown provider is PROVIDER_UNKNOWN; a broken config stops the whole run before any write", () =>
    Effect.gen(function* () {
      const unknown = yield* runCli(["init", "--provider", "vim"])
      assert.strictEqual(unknown.exitCode, 1)
      assert.include(unknown.stderr, "PROVIDER_UNKNOWN")
      const before = yield* files
      const broken = yield* runCli(["init", "--provider", "codex", "--provider", "claude-code"])
      assert.strictEqual(broken.exitCode, 1)
      assert.include(broken.stderr, `error CONFIG_INVALID: ${HOME}/.claude.json is not valid JSON`)
      assert.deepStrictEqual(yield* files, before)
    }).pipe(Effect.provide(layer({ [`${HOME}/.claude.json`]: "{ nope" })))
  )

  it.effect("uninstall --all removes what init created and reports it", () =>
    Effect.gen(function* () {
      yield* runCli(["init", "--provider", "cursor", "--provider", "opencode"])
      const r = yield* runCli(["uninstall", "--all", "--json"])
      assert.strictEqual(r.exitCode, 0)
      const report = JSON.parse(r.stdout)
      const removed = report.providers.flatMap((p: { changes: Array<{ action: string }> }) =>
        p.changes.map((c) => c.action)
      )
      assert.isAbove(removed.length, 3)
      assert.isTrue(removed.every((a: string) => a === "removed"))
      assert.deepStrictEqual(yield* files, {})
      const none = yield* runCli(["uninstall"])
      assert.strictEqual(none.exitCode, 2)
      assert.include(none.stderr, "INVALID_ARGUMENT")
    }).pipe(Effect.provide(layer()))
  )

  it.effect("plugin emit-manifest prints the Claude Code plugin files", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["plugin", "emit-manifest"])
      assert.strictEqual(r.exitCode, 0)
      const out = JSON.parse(r.stdout) as Record<string, string>
      assert.deepStrictEqual(Object.keys(out).sort(), [".claude-plugin/plugin.json", ".mcp.json", "hooks/hooks.json"])
      assert.strictEqual(JSON.parse(out[".claude-plugin/plugin.json"]!).name, "session-bridge")
      const hooks = JSON.parse(out["hooks/hooks.json"]!).hooks
      assert.strictEqual(
        hooks.UserPromptSubmit[0].hooks[0].command,
        "session-bridge hook UserPromptSubmit --provider claude-code"
      )
      assert.deepStrictEqual(JSON.parse(out[".mcp.json"]!).mcpServers["session-bridge"], {
        command: "session-bridge",
        args: ["mcp"]
      })
      const written = yield* runCli(["plugin", "emit-manifest", "--out", "/tmp/plugin"])
      assert.strictEqual(written.exitCode, 0)
      assert.include((yield* files)["/tmp/plugin/hooks/hooks.json"] ?? "", "UserPromptSubmit")
    }).pipe(Effect.provide(layer()))
  )
})
