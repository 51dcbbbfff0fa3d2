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

  it("then SESSION_BRIDGE_PROVIDER when it names a known provider, else unknown", () => {
    assert.strictEqual(detectProvider(client("x"), makeMemory({ env: { SESSION_BRIDGE_PROVIDER: "Codex" } })), "codex")
    assert.strictEqual(
      detectProvider(client("x"), makeMemory({ env: { SESSION_BRIDGE_PROVIDER: "../evil" } })),
      "unknown"
    )
    assert.strictEqual(detectProvider(client("toString"), makeMemory()), "unknown")
  })
})
