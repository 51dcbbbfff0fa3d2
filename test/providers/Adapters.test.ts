import * as fs from "node:fs"
import * as path from "node:path"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PROVIDERS } from "../../src/providers/Registry.js"
import type { ProviderAdapter } from "../../src/providers/Provider.js"
import {
  HOME,
  install,
  memoryLayer,
  PROJECT,
  snapshotDir,
  snapshotMemory,
  tempRoot,
  fsLayer,
  uninstall
} from "./harness.js"

/** Realistic pre-existing user config for each host: comments where the format allows, unrelated entries. */
const seeds: Record<string, Record<string, string>> = {
  "claude-code": {
    [`${HOME}/.claude.json`]: `{\n  "numStartups": 42,\n  "projects": {\n    "/work/project": { "allowedTools": [] }\n  },\n  "mcpServers": {\n    "other": { "type": "stdio", "command": "other", "args": [] }\n  }\n}\n`,
    [`${HOME}/.claude/settings.json`]: `{\n  "model": "opus",\n  "hooks": {\n    "UserPromptSubmit": [\n      { "hooks": [ { "type": "command", "command": "echo mine" } ] }\n    ]\n  }\n}\n`
  },
  codex: {
    [`${HOME}/.codex/config.toml`]: `# my codex config\nmodel = "o3"\n\n[mcp_servers.other]\ncommand = "other" # keep me\nargs = []\n\n[projects."/work/project"]\ntrust_level = "trusted"\n`,
    [`${HOME}/.codex/hooks.json`]: `{\n  "hooks": {\n    "Stop": [ { "hooks": [ { "type": "command", "command": "echo stop", "timeout": 5 } ] } ]\n  }\n}\n`
  },
  grok: {
    [`${PROJECT}/.grok/settings.json`]: `{\n  "model": "grok-code-fast-1"\n}\n`,
    [`${PROJECT}/.grok/GROK.md`]: `Always write tests first.\n`
  },
  opencode: {
    [`${HOME}/.config/opencode/opencode.jsonc`]: `{\n  // my theme\n  "$schema": "https://opencode.ai/config.json",\n  "theme": "dark", /* inline */\n  "mcp": {\n    "other": { "type": "local", "command": ["other"] }\n  }\n}\n`
  },
  "gemini-cli": {
    [`${HOME}/.gemini/settings.json`]: `{\n  // comments are allowed here\n  "security": { "auth": { "selectedType": "gemini-api-key" } },\n  "hooks": { "BeforeAgent": [ { "hooks": [ { "type": "command", "command": "echo mine", "timeout": 1000 } ] } ] }\n}\n`
  },
  cursor: {
    [`${HOME}/.cursor/mcp.json`]: `{\n  "mcpServers": {\n    "other": { "command": "other" }\n  }\n}\n`,
    [`${HOME}/.cursor/hooks.json`]: `{\n  "version": 1,\n  "hooks": { "stop": [ { "command": "./mine.sh" } ] }\n}\n`
  },
  cline: {
    [`${HOME}/.cline/data/settings/cline_mcp_settings.json`]: `{\n  "mcpServers": {\n    "other": { "transport": { "type": "stdio", "command": "other" } }\n  }\n}\n`
  }
}

const suite = (adapter: ProviderAdapter) => {
  const seed = seeds[adapter.id] ?? {}

  it.effect("installs, is a no-op the second time, and uninstall restores every file byte-for-byte", () =>
    Effect.gen(function* () {
      const before = yield* snapshotMemory
      const first = yield* install(adapter)
      assert.isAbove(first.changes.length, 0)
      const installed = yield* snapshotMemory
      assert.notDeepEqual(installed, before)
      for (const [p, text] of Object.entries(seed)) {
        // unrelated user content survives the install
        const kept =
          text.match(
            /"(numStartups|model|theme|other|echo mine|\.\/mine\.sh)"|# my codex config|keep me|Always write tests first|\/\/ my theme|comments are allowed/g
          ) ?? []
        for (const k of kept) assert.include(installed[p] ?? "", k, `${p} lost ${k}`)
      }
      const second = yield* install(adapter)
      assert.strictEqual(second.changes.length, 0, "second install changes nothing")
      assert.deepStrictEqual(yield* snapshotMemory, installed)
      yield* uninstall(adapter)
      assert.deepStrictEqual(yield* snapshotMemory, before)
    }).pipe(Effect.provide(memoryLayer(seed)))
  )

  it.effect("on an empty home: install then uninstall leaves no file behind", () =>
    Effect.gen(function* () {
      yield* install(adapter, "user", "alice")
      const installed = yield* snapshotMemory
      assert.isAbove(Object.keys(installed).length, 0)
      assert.isTrue(Object.values(installed).some((t) => t.includes("SESSION_BRIDGE_LABEL")))
      yield* uninstall(adapter)
      assert.deepStrictEqual(yield* snapshotMemory, {})
    }).pipe(Effect.provide(memoryLayer()))
  )

  it.effect("uninstall after the user edited a file removes only our entries", () =>
    Effect.gen(function* () {
      yield* install(adapter)
      const target = (yield* install(adapter)).files.find(
        (f) =>
          !f.path.endsWith(".js") &&
          !f.path.endsWith("TaskStart") &&
          !f.path.endsWith(".md") &&
          !f.path.endsWith(".mdc")
      )
      assert.isDefined(target)
      const snap = yield* snapshotMemory
      const text = snap[target!.path]!
      // a user edit after install: append a harmless key or comment
      const edited = target!.path.endsWith(".toml")
        ? text + "\n[user_added]\nx = 1\n"
        : text.replace(/^\{/, `{\n  "userAdded": true,`)
      const { HostConfig } = yield* Effect.promise(() => import("../../src/services/HostConfig.js"))
      yield* Effect.flatMap(HostConfig, (hc) => hc.write(target!.path, edited))
      yield* uninstall(adapter)
      const after = (yield* snapshotMemory)[target!.path] ?? ""
      assert.include(after, target!.path.endsWith(".toml") ? "[user_added]" : "userAdded")
      assert.notInclude(after, "session-bridge")
      assert.notInclude(after, "bin.js")
    }).pipe(Effect.provide(memoryLayer(seed)))
  )

  it.effect("on the real file system: install, reinstall, uninstall restore every file byte-for-byte", () =>
    Effect.gen(function* () {
      const root = tempRoot()
      const mapped: Record<string, string> = {}
      for (const [p, text] of Object.entries(seed)) {
        const real = p.startsWith(HOME)
          ? `${root}/home${p.slice(HOME.length)}`
          : `${root}/project${p.slice(PROJECT.length)}`
        fs.mkdirSync(path.dirname(real), { recursive: true })
        fs.writeFileSync(real, text)
        mapped[real] = text
      }
      fs.mkdirSync(`${root}/project`, { recursive: true })
      const before = snapshotDir(root)
      yield* Effect.gen(function* () {
        yield* install(adapter)
        const installed = snapshotDir(root)
        assert.notDeepEqual(installed, before)
        const again = yield* install(adapter)
        assert.strictEqual(again.changes.length, 0)
        yield* uninstall(adapter)
        assert.deepStrictEqual(snapshotDir(root), before)
      }).pipe(Effect.provide(fsLayer(root)))
      fs.rmSync(root, { recursive: true, force: true })
    })
  )
}

for (const adapter of PROVIDERS) describe(`provider ${adapter.id}`, () => suite(adapter))
