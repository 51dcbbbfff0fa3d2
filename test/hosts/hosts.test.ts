import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { startAnthropicStub, startChatStub, startGeminiStub, startResponsesStub } from "./stub-model.js"
import { cacheRoot, codexHooks, entry, host, run, type Scratch, sb, scratch, snapshot, strip } from "./support.js"

const made: Array<Scratch> = []
const machine = (name: string) => {
  const s = scratch(name)
  made.push(s)
  return s
}
afterAll(() => {
  for (const s of made) fs.rmSync(s.root, { recursive: true, force: true })
})

/** init --json; returns the files it changed. */
const initOk = async (s: Scratch, provider: string, extra: ReadonlyArray<string> = []) => {
  const r = await sb(s, ["init", "--provider", provider, "--label", `t-${provider}`, "--json", ...extra])
  expect(r.stderr).toBe("")
  expect(r.code).toBe(0)
  const report = JSON.parse(r.stdout) as {
    providers: Array<{ changes: Array<{ path: string }>; notes: Array<string> }>
  }
  return {
    paths: report.providers.flatMap((p) => p.changes.map((c) => c.path)),
    notes: report.providers.flatMap((p) => p.notes)
  }
}

/**
 * After uninstall every file init changed is as it was before init: gone when init created it, byte-for-byte
 * otherwise, except files the host itself rewrote meanwhile (`hostRewritten`), checked by the caller.
 */
const uninstallRestores = async (
  s: Scratch,
  provider: string,
  changed: ReadonlyArray<string>,
  hostRewritten: ReadonlyArray<string> = []
) => {
  const before = new Map(changed.map((p) => [p, beforeInit.get(p)]))
  const r = await sb(s, ["uninstall", "--provider", provider])
  expect(r.code).toBe(0)
  for (const [p, text] of before) {
    if (hostRewritten.includes(p)) continue
    if (text === undefined) expect(fs.existsSync(p), `${p} should be gone`).toBe(false)
    else expect(fs.readFileSync(p, "utf8"), p).toBe(text)
  }
}

/** Text of every file under the scratch machine before init (absolute path → text). */
const beforeInit = new Map<string, string>()
const rememberBeforeInit = (s: Scratch) => {
  beforeInit.clear()
  for (const [rel, text] of Object.entries(snapshot(s.root))) beforeInit.set(path.join(s.root, rel), text)
}

describe("Claude Code 2.1.197", () => {
  it("`claude mcp list` connects to our server; uninstall restores the home", async () => {
    const s = machine("claude")
    fs.writeFileSync(
      `${s.home}/.claude.json`,
      JSON.stringify(
        { numStartups: 3, mcpServers: { other: { type: "stdio", command: "other", args: [] } } },
        null,
        2
      ) + "\n"
    )
    rememberBeforeInit(s)
    const { paths } = await initOk(s, "claude-code")
    const list = await host(s, "claude-code", ["mcp", "list"])
    expect(strip(list.stdout)).toMatch(/session-bridge: .*session-bridge\.cjs mcp - ✔ Connected/)
    const again = await sb(s, ["init", "--provider", "claude-code"])
    expect(again.stdout).toContain("already installed")
    // `claude mcp list` rewrites ~/.claude.json itself: uninstall then removes only our entry from it.
    const state = JSON.parse(fs.readFileSync(`${s.home}/.claude.json`, "utf8"))
    expect(Object.keys(state.mcpServers)).toEqual(["other", "session-bridge"])
    await uninstallRestores(s, "claude-code", paths, [`${s.home}/.claude.json`])
    const after = JSON.parse(fs.readFileSync(`${s.home}/.claude.json`, "utf8"))
    expect(after.numStartups).toBe(3)
    expect(Object.keys(after.mcpServers)).toEqual(["other"])
  })
})

describe("Codex 0.171.0", () => {
  it("`codex mcp list --json` lists our server with its env, and codex trusts every hook init wrote", async () => {
    const s = machine("codex")
    fs.mkdirSync(`${s.home}/.codex`, { recursive: true })
    fs.writeFileSync(`${s.home}/.codex/config.toml`, `# mine\nmodel = "o3"\n\n[mcp_servers.other]\ncommand = "other"\n`)
    rememberBeforeInit(s)
    const { paths } = await initOk(s, "codex")
    const list = await host(s, "codex", ["mcp", "list", "--json"])
    expect(list.code).toBe(0)
    const servers = JSON.parse(list.stdout) as Array<{
      name: string
      transport: { command: string; args: Array<string>; env: Record<string, string> }
    }>
    const ours = servers.find((x) => x.name === "session-bridge")
    expect(ours?.transport.command).toBe(process.execPath)
    expect(ours?.transport.args).toEqual([entry, "mcp"])
    expect(ours?.transport.env).toEqual({ SESSION_BRIDGE_HOME: s.bridgeHome, SESSION_BRIDGE_LABEL: "t-codex" })
    expect(servers.some((x) => x.name === "other")).toBe(true)
    const hooks = (await codexHooks(s)).filter((h) => h.command.includes("--provider codex"))
    expect(hooks.map((h) => h.key.split(":")[1]).sort()).toEqual([
      "session_end",
      "session_start",
      "stop",
      "user_prompt_submit"
    ])
    for (const h of hooks) expect(h.trustStatus, h.key).toBe("trusted")
    const doctor = await sb(s, ["doctor", "--json"])
    const report = JSON.parse(doctor.stdout) as { checks: Array<{ area: string; level: string; message: string }> }
    expect(report.checks.filter((c) => c.area === "codex" && c.message.includes("is trusted"))).toHaveLength(4)
    await uninstallRestores(s, "codex", paths)
  })
})

describe("Gemini CLI 0.61.0", () => {
  it("`gemini mcp list` connects in a trusted folder, is disabled in an untrusted one, and doctor says so", async () => {
    const s = machine("gemini")
    rememberBeforeInit(s)
    const { paths } = await initOk(s, "gemini-cli")
    const untrusted = await host(s, "gemini-cli", ["mcp", "list"])
    expect(strip(untrusted.stdout + untrusted.stderr)).toMatch(/session-bridge: .* - Disabled/)
    const doctor = await sb(s, ["doctor", "--json"])
    const report = JSON.parse(doctor.stdout) as { checks: Array<{ area: string; level: string; message: string }> }
    expect(
      report.checks.some(
        (c) => c.area === "gemini-cli" && c.level === "warn" && c.message.includes("does not yet trust")
      )
    ).toBe(true)
    const trusted = await host(s, "gemini-cli", ["mcp", "list"], { GEMINI_CLI_TRUST_WORKSPACE: "true" })
    expect(strip(trusted.stdout + trusted.stderr)).toMatch(
      /✓ session-bridge: .*session-bridge\.cjs mcp \(stdio\) - Connected/
    )
    await uninstallRestores(s, "gemini-cli", paths)
  })
})

describe("opencode 1.18.33", () => {
  it("`opencode mcp list` connects; comments in opencode.jsonc survive", async () => {
    const s = machine("opencode")
    const cfg = `${s.home}/.config/opencode/opencode.jsonc`
    fs.mkdirSync(path.dirname(cfg), { recursive: true })
    fs.writeFileSync(
      cfg,
      `{\n  // my settings\n  "$schema": "https://opencode.ai/config.json",\n  "autoupdate": false\n}\n`
    )
    rememberBeforeInit(s)
    const { paths } = await initOk(s, "opencode")
    expect(fs.readFileSync(cfg, "utf8")).toContain("// my settings")
    const list = await host(
      s,
      "opencode",
      ["mcp", "list"],
      { OPENCODE_DISABLE_MODELS_FETCH: "1", OPENCODE_DISABLE_AUTOUPDATE: "1" },
      240_000
    )
    expect(strip(list.stdout + list.stderr)).toMatch(/✓ session-bridge\s+connected/)
    await uninstallRestores(s, "opencode", paths)
  })
})

describe("Cline 3.0.65", () => {
  it("Cline's own loaders accept our MCP entry and plugin; the plugin surfaces a message sent to its session", async () => {
    const s = machine("cline")
    rememberBeforeInit(s)
    const { paths } = await initOk(s, "cline")
    const core = path.join(cacheRoot, "cline", "node_modules", "@cline", "core", "dist", "index.js")
    const probe = `
      const core = await import(${JSON.stringify(core)})
      const regs = core.resolveMcpServerRegistrations({ filePath: ${JSON.stringify(`${s.home}/.cline/data/settings/cline_mcp_settings.json`)} })
      const plugin = await core.loadAgentPluginFromPath(${JSON.stringify(`${s.home}/.cline/plugins/session-bridge.js`)}, { cwd: ${JSON.stringify(s.project)} })
      const snapshot = { conversationId: "conv_test_1", messages: [{ role: "user", content: "hello" }] }
      const first = await plugin.hooks.beforeRun({ snapshot })
      const { execFileSync } = await import("node:child_process")
      execFileSync(process.execPath, [${JSON.stringify(entry)}, "send-message", "t-cline", "ping from test", "--body", "hi cline"], { stdio: "ignore" })
      const second = await plugin.hooks.beforeRun({ snapshot })
      console.log(JSON.stringify({ regs, name: plugin.name, capabilities: plugin.manifest?.capabilities, first: first ?? null, second: second ?? null }))
    `
    const r = await run(process.execPath, ["--input-type=module", "-e", probe], {
      env: { ...s.env, SESSION_BRIDGE_LABEL: "t-cline" },
      cwd: s.project,
      timeoutMs: 120_000
    })
    expect(r.stderr).toBe("")
    const out = JSON.parse(r.stdout.trim().split("\n").pop()!)
    expect(out.regs).toEqual([
      {
        name: "session-bridge",
        transport: {
          type: "stdio",
          command: process.execPath,
          args: [entry, "mcp"],
          env: { SESSION_BRIDGE_HOME: s.bridgeHome, SESSION_BRIDGE_LABEL: "t-cline" }
        }
      }
    ])
    expect(out.name).toBe("session-bridge")
    expect(out.capabilities).toContain("hooks")
    expect(out.first).toBeNull()
    expect(out.second.appendContext).toContain("ping from test")
    await uninstallRestores(s, "cline", paths)
  })
})

describe("Grok CLI 0.0.34", () => {
  it("`grok mcp list` reads our project entry; GROK.md carries the fallback instructions", async () => {
    const s = machine("grok")
    rememberBeforeInit(s)
    const { notes, paths } = await initOk(s, "grok")
    expect(notes.join(" ")).toContain("no hooks")
    const list = await host(s, "grok", ["mcp", "list"], {}, 60_000)
    expect(strip(list.stdout + list.stderr)).toContain("session-bridge")
    expect(fs.readFileSync(`${s.project}/.grok/GROK.md`, "utf8")).toContain("bridge_list_inbox")
    await uninstallRestores(s, "grok", paths)
  })
})

describe("Cursor (not installable: files checked against its documented schema)", () => {
  it("mcp.json, hooks.json version 1 with flat camelCase entries, and the always-applied rule", async () => {
    const s = machine("cursor")
    await initOk(s, "cursor", ["--project", s.project])
    await initOk(s, "cursor")
    const mcp = JSON.parse(fs.readFileSync(`${s.home}/.cursor/mcp.json`, "utf8"))
    expect(mcp.mcpServers["session-bridge"]).toEqual({
      command: process.execPath,
      args: [entry, "mcp"],
      env: { SESSION_BRIDGE_HOME: s.bridgeHome, SESSION_BRIDGE_LABEL: "t-cursor" }
    })
    const hooks = JSON.parse(fs.readFileSync(`${s.home}/.cursor/hooks.json`, "utf8"))
    expect(hooks.version).toBe(1)
    const known = [
      "sessionStart",
      "sessionEnd",
      "beforeSubmitPrompt",
      "afterAgentResponse",
      "afterAgentThought",
      "stop",
      "preToolUse",
      "postToolUse",
      "beforeShellExecution",
      "afterShellExecution",
      "beforeMCPExecution",
      "afterMCPExecution",
      "beforeReadFile",
      "afterFileEdit",
      "preCompact"
    ]
    for (const [event, entries] of Object.entries(hooks.hooks as Record<string, Array<Record<string, unknown>>>)) {
      expect(known).toContain(event)
      for (const e of entries) {
        expect(Object.keys(e).every((k) => ["command", "timeout", "matcher", "type"].includes(k))).toBe(true)
        expect(e["command"]).toMatch(new RegExp(` hook ${event} --provider cursor$`))
      }
    }
    const rule = fs.readFileSync(`${s.project}/.cursor/rules/session-bridge.mdc`, "utf8")
    expect(rule).toMatch(/^---\n(.|\n)*alwaysApply: true\n(.|\n)*---\n/)
    // The registered hook command itself runs and answers Cursor's beforeSubmitPrompt shape.
    const cmd = hooks.hooks.beforeSubmitPrompt[0].command as string
    const reply = await run("/bin/sh", ["-c", cmd], {
      env: s.env,
      cwd: s.project,
      input: JSON.stringify({
        conversation_id: "c1",
        hook_event_name: "beforeSubmitPrompt",
        prompt: "hi",
        workspace_roots: [s.project]
      })
    })
    expect(reply.code).toBe(0)
    expect(JSON.parse(reply.stdout)).toMatchObject({ continue: true })
    await sb(s, ["uninstall", "--provider", "cursor"])
    expect(snapshot(s.root, ["bridge", "tmp"])).toEqual({})
  })
})

describe("a whole Claude Code turn against a stub model on 127.0.0.1", () => {
  it("the prompt hook's inbox block reaches the model, and the model's tool call reaches our server", async () => {
    const s = machine("claude-turn")
    await initOk(s, "claude-code")
    const sent = await sb(s, ["broadcast", "stub-turn-marker", "--body", "hello from the test"])
    expect(sent.code).toBe(0)
    const stub = await startAnthropicStub("mcp__session-bridge__bridge_whoami")
    try {
      const r = await host(
        s,
        "claude-code",
        ["-p", "hello there", "--allowedTools", "mcp__session-bridge__bridge_whoami", "--output-format", "json"],
        {
          ANTHROPIC_BASE_URL: stub.url,
          ANTHROPIC_API_KEY: "sk-stub",
          DISABLE_TELEMETRY: "1",
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1"
        },
        180_000
      )
      expect(r.code, r.stderr + r.stdout).toBe(0)
      const first = stub.bodies.find(
        (b) => b.includes("hello there") && b.includes("mcp__session-bridge__bridge_whoami")
      )
      expect(first, "a model request offering our tool").toBeDefined()
      expect(first).toContain("session-bridge-inbox")
      expect(first).toContain("stub-turn-marker")
      const result = stub.bodies.find((b) => b.includes('"tool_result"'))
      expect(result, "the tool result went back to the model").toBeDefined()
      expect(result).toMatch(/sessionId/)
      expect(result).toContain("claude-code")
    } finally {
      await stub.close()
    }
  })
})

describe("a whole Codex turn against a stub model on 127.0.0.1", () => {
  it("Codex runs our trusted prompt hook and its inbox block reaches the model", async () => {
    const s = machine("codex-turn")
    const stub = await startResponsesStub()
    try {
      fs.mkdirSync(`${s.home}/.codex`, { recursive: true })
      fs.writeFileSync(
        `${s.home}/.codex/config.toml`,
        [
          `model = "stub-model"`,
          `model_provider = "stub"`,
          ``,
          `[model_providers.stub]`,
          `name = "stub"`,
          `base_url = "${stub.url}/v1"`,
          `wire_api = "responses"`,
          `env_key = "STUB_API_KEY"`,
          ``
        ].join("\n")
      )
      await initOk(s, "codex")
      const sent = await sb(s, ["broadcast", "codex-turn-marker", "--body", "hello codex"])
      expect(sent.code).toBe(0)
      const r = await host(
        s,
        "codex",
        ["exec", "--skip-git-repo-check", "hello codex"],
        { STUB_API_KEY: "sk-stub" },
        180_000
      )
      expect(r.code, r.stderr.slice(-2000)).toBe(0)
      const request = stub.bodies.find((b) => b.includes("hello codex") && b.includes("/responses") === false)
      expect(request, "a model request").toBeDefined()
      expect(request).toContain("session-bridge-inbox")
      expect(request).toContain("codex-turn-marker")
      // Control: without the trust records Codex skips the same hooks silently.
      const config = fs.readFileSync(`${s.home}/.codex/config.toml`, "utf8")
      fs.writeFileSync(
        `${s.home}/.codex/config.toml`,
        config.replace(/\[hooks\.state\.[^\n]*\]\ntrusted_hash = [^\n]*\n\n?/g, "")
      )
      expect(fs.readFileSync(`${s.home}/.codex/config.toml`, "utf8")).not.toContain("trusted_hash")
      await sb(s, ["broadcast", "untrusted-marker", "--body", "should not arrive"])
      const seen = stub.bodies.length
      const again = await host(
        s,
        "codex",
        ["exec", "--skip-git-repo-check", "second prompt"],
        { STUB_API_KEY: "sk-stub" },
        180_000
      )
      expect(again.code).toBe(0)
      const later = stub.bodies.slice(seen).join("\n")
      expect(later).toContain("second prompt")
      expect(later).not.toContain("untrusted-marker")
    } finally {
      await stub.close()
    }
  })
})

describe("a whole opencode turn against a stub model on 127.0.0.1", () => {
  it("our plugin adds the inbox block to the user message that reaches the model", async () => {
    const s = machine("opencode-turn")
    const stub = await startChatStub()
    try {
      const cfg = `${s.home}/.config/opencode/opencode.json`
      fs.mkdirSync(path.dirname(cfg), { recursive: true })
      fs.writeFileSync(
        cfg,
        JSON.stringify(
          {
            $schema: "https://opencode.ai/config.json",
            autoupdate: false,
            model: "stub/stub-model",
            provider: {
              stub: {
                npm: "@ai-sdk/openai-compatible",
                name: "stub",
                options: { baseURL: `${stub.url}/v1`, apiKey: "sk-stub" },
                models: { "stub-model": { name: "stub-model" } }
              }
            }
          },
          null,
          2
        ) + "\n"
      )
      await initOk(s, "opencode")
      const sent = await sb(s, ["broadcast", "opencode-turn-marker", "--body", "hello opencode"])
      expect(sent.code).toBe(0)
      const r = await host(
        s,
        "opencode",
        ["run", "hello opencode"],
        { OPENCODE_DISABLE_MODELS_FETCH: "1", OPENCODE_DISABLE_AUTOUPDATE: "1" },
        240_000
      )
      expect(r.code, r.stderr.slice(-2000)).toBe(0)
      const request = stub.bodies.find((b) => b.includes("hello opencode") && b.includes("opencode-turn-marker"))
      expect(request, "a model request carrying the prompt and the inbox block").toBeDefined()
      expect(request).toContain("session-bridge-inbox")
    } finally {
      await stub.close()
    }
  })
})

describe("a whole Gemini CLI turn against a stub model on 127.0.0.1", () => {
  it("our BeforeAgent hook's inbox block reaches the model (in a trusted folder)", async () => {
    const s = machine("gemini-turn")
    const stub = await startGeminiStub()
    try {
      fs.mkdirSync(`${s.home}/.gemini`, { recursive: true })
      fs.writeFileSync(
        `${s.home}/.gemini/settings.json`,
        JSON.stringify({ security: { auth: { selectedType: "gemini-api-key" } } }, null, 2) + "\n"
      )
      await initOk(s, "gemini-cli")
      const sent = await sb(s, ["broadcast", "gemini-turn-marker", "--body", "hello gemini"])
      expect(sent.code).toBe(0)
      const r = await host(
        s,
        "gemini-cli",
        ["-p", "hello gemini"],
        { GEMINI_API_KEY: "stub-key", GOOGLE_GEMINI_BASE_URL: stub.url, GEMINI_CLI_TRUST_WORKSPACE: "true" },
        240_000
      )
      expect(r.code, r.stderr.slice(-2000)).toBe(0)
      const request = stub.bodies.find((b) => b.includes("hello gemini") && b.includes("gemini-turn-marker"))
      expect(request, "a model request carrying the prompt and the inbox block").toBeDefined()
      // Gemini CLI HTML-escapes the hook text: the tag arrives as &lt;session-bridge-inbox&gt;.
      expect(request).toMatch(/session-bridge-inbox/)
    } finally {
      await stub.close()
    }
  })
})
