import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { parse } from "smol-toml"
import { codex, codexTrustHash } from "../../src/providers/codex.js"
import { HostConfig } from "../../src/services/HostConfig.js"
import { HOME, install, memoryLayer, uninstall } from "./harness.js"

describe("Codex hook trust", () => {
  it("the trust hash equals what codex 0.171.0 reported for the same hooks (app-server hooks/list currentHash)", () => {
    const cmd = (e: string) =>
      `SESSION_BRIDGE_HOME=/tmp/prov-t1/sb SESSION_BRIDGE_LABEL=alice /usr/bin/node /work/main/dist/bin.js hook ${e} --provider codex`
    const hash = (e: string, timeout: number) => codexTrustHash(e, {}, { type: "command", command: cmd(e), timeout })
    assert.strictEqual(
      hash("SessionStart", 10),
      "sha256:1e98103541cca9a92307808b366ae79cd7f0f2b403ca369d571e7b93edf4a9df"
    )
    assert.strictEqual(hash("SessionEnd", 3), "sha256:1e6a905540861f74705c62b245deef5c916a745f77f87f5da6dc4add7cad6bce")
    assert.strictEqual(
      hash("UserPromptSubmit", 10),
      "sha256:0ff8bb67fad32bf600cd7f2b12477cac16ecf9c20f5c7781756849144acc470b"
    )
  })

  it.effect("trust keys follow our group's index after user hooks, and the user's own trust records survive", () =>
    Effect.gen(function* () {
      yield* install(codex)
      const hc = yield* HostConfig
      const config = Option.getOrThrow(yield* hc.read(`${HOME}/.codex/config.toml`))
      const state = (parse(config) as { hooks: { state: Record<string, { trusted_hash: string }> } }).hooks.state
      const keys = Object.keys(state).sort()
      assert.include(keys, `${HOME}/.codex/hooks.json:user_prompt_submit:1:0`)
      assert.include(keys, `${HOME}/.codex/hooks.json:session_start:0:0`)
      assert.strictEqual(state[`${HOME}/.codex/hooks.json:user_prompt_submit:0:0`]?.trusted_hash, "sha256:user")
      assert.include(config, "# my codex config")
      yield* uninstall(codex)
      const after = Option.getOrThrow(yield* hc.read(`${HOME}/.codex/config.toml`))
      assert.strictEqual(after, USER_CONFIG)
    }).pipe(
      Effect.provide(
        memoryLayer({
          [`${HOME}/.codex/config.toml`]: USER_CONFIG,
          [`${HOME}/.codex/hooks.json`]: `{\n  "hooks": {\n    "UserPromptSubmit": [ { "hooks": [ { "type": "command", "command": "echo mine" } ] } ]\n  }\n}\n`
        })
      )
    )
  )
})

const USER_CONFIG = `# my codex config
model = "o3"

[hooks.state."${HOME}/.codex/hooks.json:user_prompt_submit:0:0"]
trusted_hash = "sha256:user"
`
