import * as fs from "node:fs"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import { claudeCode } from "../../src/providers/claude-code.js"
import { codex } from "../../src/providers/codex.js"
import { geminiCli } from "../../src/providers/gemini-cli.js"
import { applyInstall, makeContext, planInstall } from "../../src/providers/Installer.js"
import { opencode } from "../../src/providers/opencode.js"
import type { ProviderAdapter } from "../../src/providers/Provider.js"
import { MAX_CONFIG_BYTES } from "../../src/services/HostConfig.js"
import { Store } from "../../src/services/store/Store.js"
import {
  contextOptions,
  fsLayer,
  HOME,
  install,
  memoryLayer,
  snapshotDir,
  snapshotMemory,
  tempRoot
} from "./harness.js"

const failsWith = (adapter: ProviderAdapter, code: string, fileInMessage: string) =>
  Effect.gen(function* () {
    const before = yield* snapshotMemory
    const result = yield* Effect.either(Effect.asVoid(install(adapter)))
    assert.isTrue(result._tag === "Left", "install must fail")
    const error = result._tag === "Left" ? result.left : undefined
    assert.strictEqual(error?.code, code)
    assert.include(error?.message ?? "", fileInMessage)
    assert.deepStrictEqual(yield* snapshotMemory, before, "nothing written")
    const store = yield* Store
    assert.deepStrictEqual(yield* store.list("installs"), [], "no manifest, no backup")
  })

describe("broken and hostile host configs (memory)", () => {
  it.effect("invalid JSON: CONFIG_INVALID naming the file, nothing written", () =>
    failsWith(claudeCode, "CONFIG_INVALID", `${HOME}/.claude.json`).pipe(
      Effect.provide(memoryLayer({ [`${HOME}/.claude.json`]: `{ "numStartups": 3, ` }))
    )
  )

  it.effect("a JSON array at the top level is not a config", () =>
    failsWith(claudeCode, "CONFIG_INVALID", "settings.json").pipe(
      Effect.provide(memoryLayer({ [`${HOME}/.claude/settings.json`]: `[1, 2]` }))
    )
  )

  it.effect("hooks that are not a list: CONFIG_INVALID", () =>
    failsWith(geminiCli, "CONFIG_INVALID", "hooks.BeforeAgent").pipe(
      Effect.provide(memoryLayer({ [`${HOME}/.gemini/settings.json`]: `{ "hooks": { "BeforeAgent": "nope" } }` }))
    )
  )

  it.effect("comments in a strict JSON file are refused (the host would refuse them too)", () =>
    failsWith(claudeCode, "CONFIG_INVALID", ".claude.json").pipe(
      Effect.provide(memoryLayer({ [`${HOME}/.claude.json`]: `{\n  // no\n  "a": 1\n}\n` }))
    )
  )

  it.effect("invalid TOML: CONFIG_INVALID naming config.toml, hooks.json untouched", () =>
    failsWith(codex, "CONFIG_INVALID", `${HOME}/.codex/config.toml`).pipe(
      Effect.provide(memoryLayer({ [`${HOME}/.codex/config.toml`]: `model = "o3\n[broken` }))
    )
  )

  it.effect("our server defined inline in TOML: CONFIG_INVALID with a hint, nothing written", () =>
    failsWith(codex, "CONFIG_INVALID", "config.toml").pipe(
      Effect.provide(
        memoryLayer({ [`${HOME}/.codex/config.toml`]: `mcp_servers = { "session-bridge" = { command = "x" } }\n` })
      )
    )
  )

  it.effect("a read-only file: CONFIG_UNWRITABLE, nothing written", () =>
    failsWith(opencode, "CONFIG_UNWRITABLE", "opencode.json").pipe(
      Effect.provide(
        memoryLayer({ [`${HOME}/.config/opencode/opencode.json`]: { text: "{}\n", mode: 0o444, readonly: true } })
      )
    )
  )

  it.effect("a symlinked config: CONFIG_UNWRITABLE naming it", () =>
    failsWith(claudeCode, "CONFIG_UNWRITABLE", "symbolic link").pipe(
      Effect.provide(memoryLayer({ [`${HOME}/.claude/settings.json`]: { text: "{}\n", mode: 0o644, symlink: true } }))
    )
  )

  it.effect("a huge file: CONFIG_INVALID with its size", () =>
    failsWith(claudeCode, "CONFIG_INVALID", "byte limit").pipe(
      Effect.provide(memoryLayer({ [`${HOME}/.claude.json`]: `{"x":"${"a".repeat(MAX_CONFIG_BYTES)}"}` }))
    )
  )

  it.effect("a backup already stored is never overwritten", () =>
    Effect.gen(function* () {
      yield* install(claudeCode)
      const store = yield* Store
      const backups = yield* store.list("installs/backups/claude-code")
      assert.strictEqual(backups.length, 1)
      const path = `installs/backups/claude-code/${backups[0]}`
      const first = yield* store.readText(path)
      // Reinstall after a user edit: the original backup stays as it was.
      const ctx = yield* makeContext(claudeCode, contextOptions())
      const { HostConfig } = yield* Effect.promise(() => import("../../src/services/HostConfig.js"))
      const hc = yield* HostConfig
      const text = Option.getOrThrow(yield* hc.read(`${HOME}/.claude.json`))
      yield* hc.write(`${HOME}/.claude.json`, text.replace('"numStartups": 1', '"numStartups": 2'))
      yield* applyInstall(yield* planInstall(claudeCode, ctx))
      assert.deepStrictEqual(yield* store.readText(path), first)
    }).pipe(Effect.provide(memoryLayer({ [`${HOME}/.claude.json`]: `{\n  "numStartups": 1\n}\n` })))
  )
})

describe("broken and hostile host configs (real file system)", () => {
  const onDisk = (setup: (home: string) => void, adapter: ProviderAdapter, code: string, needle: string) =>
    Effect.gen(function* () {
      const root = tempRoot()
      const home = `${root}/home`
      fs.mkdirSync(`${root}/project`, { recursive: true })
      setup(home)
      const before = snapshotDir(root)
      const result = yield* Effect.either(Effect.provide(Effect.asVoid(install(adapter)), fsLayer(root)))
      assert.isTrue(result._tag === "Left", "install must fail")
      const error = result._tag === "Left" ? result.left : undefined
      assert.strictEqual(error?.code, code)
      assert.include(error?.message ?? "", needle)
      assert.deepStrictEqual(snapshotDir(root), before)
      fs.rmSync(root, { recursive: true, force: true })
    })

  it.effect("read-only file", () =>
    onDisk(
      (home) => {
        fs.mkdirSync(`${home}/.claude`, { recursive: true })
        fs.writeFileSync(`${home}/.claude/settings.json`, "{}\n")
        fs.chmodSync(`${home}/.claude/settings.json`, 0o444)
      },
      claudeCode,
      "CONFIG_UNWRITABLE",
      "settings.json"
    )
  )

  it.effect("symlinked config", () =>
    onDisk(
      (home) => {
        fs.mkdirSync(`${home}/dotfiles`, { recursive: true })
        fs.writeFileSync(`${home}/dotfiles/claude.json`, `{ "numStartups": 1 }\n`)
        fs.symlinkSync(`${home}/dotfiles/claude.json`, `${home}/.claude.json`)
      },
      claudeCode,
      "CONFIG_UNWRITABLE",
      ".claude.json"
    )
  )

  it.effect("invalid JSON", () =>
    onDisk(
      (home) => {
        fs.mkdirSync(`${home}/.gemini`, { recursive: true })
        fs.writeFileSync(`${home}/.gemini/settings.json`, `{ "a": }`)
      },
      geminiCli,
      "CONFIG_INVALID",
      ".gemini/settings.json"
    )
  )

  it.effect("huge file", () =>
    onDisk(
      (home) => {
        fs.mkdirSync(home, { recursive: true })
        fs.writeFileSync(`${home}/.claude.json`, Buffer.alloc(MAX_CONFIG_BYTES + 1, 32))
      },
      claudeCode,
      "CONFIG_INVALID",
      "byte limit"
    )
  )
})
