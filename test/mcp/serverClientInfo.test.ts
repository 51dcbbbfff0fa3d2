import { assert, describe, it } from "@effect/vitest"
import { Option } from "effect"
import { detectProvider } from "../../src/mcp/ClientInfo.js"
import { makeMemory } from "../../src/services/HostEnv.js"

const client = (name: string) => Option.some({ name, version: "1.0.0" })

describe("detectProvider", () => {
  it("maps every known clientInfo.name to its provider", () => {
    const env = makeMemory()
    const table: Record<string, string> = {
      "claude-code": "claude-code",
      "codex-mcp-client": "codex",
      "gemini-cli-mcp-client": "gemini-cli",
      opencode: "opencode",
      "grok-cli": "grok",
      "@cline/core": "cline"
    }
    for (const [name, provider] of Object.entries(table))
      assert.strictEqual(detectProvider(client(name), env), provider)
  })

  it("prefers the client name over env markers and the explicit variable", () => {
    const env = makeMemory({ env: { CLAUDECODE: "1", SESSION_BRIDGE_PROVIDER: "grok" } })
    assert.strictEqual(detectProvider(client("codex-mcp-client"), env), "codex")
  })

  it("falls back to env markers for an unknown or missing client name", () => {
    assert.strictEqual(detectProvider(client("some-ide"), makeMemory({ env: { CLAUDECODE: "1" } })), "claude-code")
    assert.strictEqual(detectProvider(Option.none(), makeMemory({ env: { GEMINI_CLI: "1" } })), "gemini-cli")
    assert.strictEqual(detectProvider(Option.none(), makeMemory({ env: { OPENCODE: "1" } })), "opencode")
    assert.strictEqual(detectProvider(Option.none(), makeMemory({ env: { CURSOR_TRACE_ID: "abc" } })), "cursor")
  })

  it("uses the markers the install adapters check: Codex, Cline and the hook-only variables too", () => {
    const only = (env: Record<string, string>) => detectProvider(Option.none(), makeMemory({ env }))
    assert.strictEqual(only({ CODEX_THREAD_ID: "t" }), "codex")
    assert.strictEqual(only({ CLINE_CONNECTOR_CLI_LAUNCH: "{}" }), "cline")
    assert.strictEqual(only({ CLAUDE_CODE_SESSION_ID: "s" }), "claude-code")
    assert.strictEqual(only({ AI_AGENT: "claude-code_2-1-197_harness" }), "claude-code")
    assert.strictEqual(only({ GEMINI_SESSION_ID: "s" }), "gemini-cli")
    assert.strictEqual(only({ OPENCODE_PID: "42" }), "opencode")
    assert.strictEqual(only({ CURSOR_AGENT: "1" }), "cursor")
    // A marker with the wrong value is not one (hosts set CLAUDECODE, GEMINI_CLI and OPENCODE to 1).
    assert.strictEqual(only({ CLAUDECODE: "0" }), "unknown")
    assert.strictEqual(only({ AI_AGENT: "other-agent" }), "unknown")
    // The host that sets its own markers wins over one whose markers every terminal inherits.
    assert.strictEqual(only({ CURSOR_TRACE_ID: "abc", CLAUDECODE: "1" }), "claude-code")
  })

  it("then SESSION_BRIDGE_PROVIDER when it names a known provider, else unknown", () => {
    assert.strictEqual(detectProvider(client("x"), makeMemory({ env: { SESSION_BRIDGE_PROVIDER: "Codex" } })), "codex")
    // The same aliases the hook accepts for --provider.
    assert.strictEqual(
      detectProvider(client("x"), makeMemory({ env: { SESSION_BRIDGE_PROVIDER: "claude" } })),
      "claude-code"
    )
    assert.strictEqual(
      detectProvider(client("x"), makeMemory({ env: { SESSION_BRIDGE_PROVIDER: "../evil" } })),
      "unknown"
    )
    assert.strictEqual(detectProvider(client("toString"), makeMemory()), "unknown")
  })
})
