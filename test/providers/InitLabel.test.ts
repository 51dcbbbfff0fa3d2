import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { BridgeLayer } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import * as HostConfig from "../../src/services/HostConfig.js"
import { runCli } from "../cli/harness.js"
import { memoryInfra } from "../support/layers.js"

const layer = () =>
  Layer.mergeAll(BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer)), HostConfig.layerMemory({})).pipe(
    Layer.provideMerge(memoryInfra({ home: "/home/tester", cwd: "/work/project" }))
  )

const files = Effect.flatMap(HostConfig.MemoryHostConfig, (m) => m.snapshot)

describe("init --label", () => {
  it.effect.each<readonly [string, string]>([
    ["a/b", "'/'"],
    ["ali\u202Ece", "U+202E"],
    ["zero\u200Bwidth", "U+200B"],
    ["  ", "blank"]
  ])("refuses %j with INVALID_NAME (%s) and writes no host config", ([label, named]) =>
    Effect.gen(function* () {
      const r = yield* runCli(["init", "--provider", "codex", "--label", label])
      assert.notStrictEqual(r.exitCode, 0)
      assert.include(r.stderr, "INVALID_NAME")
      assert.include(r.stderr, named)
      assert.deepStrictEqual(yield* files, {})
    }).pipe(Effect.provide(layer()))
  )

  it.effect("stores a decomposed label in NFC", () =>
    Effect.gen(function* () {
      const r = yield* runCli(["init", "--provider", "codex", "--label", "e\u0301quipe"])
      assert.strictEqual(r.exitCode, 0)
      const after = yield* files
      assert.include(after["/home/tester/.codex/config.toml"] ?? "", 'SESSION_BRIDGE_LABEL = "\u00e9quipe"')
    }).pipe(Effect.provide(layer()))
  )
})
