import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { findHost, hookRegistrations, hosts } from "../../src/hook/hosts/index.js"
import type { HostAdapter } from "../../src/hook/hosts/HostAdapter.js"

const FIXTURES = path.join(import.meta.dirname, "fixtures")
const fixture = (name: string) => fs.readFileSync(path.join(FIXTURES, name), "utf8")
const host = (name: string): HostAdapter => {
  const found = findHost(name)
  if (found === undefined) throw new Error(`no host ${name}`)
  return found
}
const decode = (name: string, json: string) => {
  const decoded = host(name).decode(json)
  if (Either.isLeft(decoded)) throw new Error(`${name} did not decode: ${decoded.left}`)
  return decoded.right
}

/** Codex's hook output schemas (additionalProperties: false at every level). */
const CODEX_TOP = new Set([
  "continue",
  "decision",
  "reason",
  "stopReason",
  "suppressOutput",
  "systemMessage",
  "hookSpecificOutput"
])
const assertCodexStrict = (reply: string, hostEvent: string) => {
  if (reply === "") return
  const value: unknown = JSON.parse(reply)
  assert.isTrue(typeof value === "object" && value !== null && !Array.isArray(value))
  const obj = value as Record<string, unknown>
  for (const key of Object.keys(obj)) assert.isTrue(CODEX_TOP.has(key), `unexpected key ${key}`)
  if (hostEvent === "Stop") assert.deepStrictEqual(obj, {})
  if (obj["hookSpecificOutput"] !== undefined) {
    const hso = obj["hookSpecificOutput"] as Record<string, unknown>
    assert.deepStrictEqual(Object.keys(hso).sort(), ["additionalContext", "hookEventName"])
    assert.strictEqual(hso["hookEventName"], hostEvent)
    assert.isString(hso["additionalContext"])
  }
}

describe("host registry", () => {
  it("knows every provider id and the claude / gemini aliases", () => {
    assert.deepStrictEqual(
      hosts.map((h) => h.id),
      ["claude-code", "codex", "grok", "opencode", "cline", "gemini-cli", "cursor"]
    )
    assert.strictEqual(findHost("claude")?.id, "claude-code")
    assert.strictEqual(findHost("Claude-Code")?.id, "claude-code")
    assert.strictEqual(findHost("gemini")?.id, "gemini-cli")
    assert.isUndefined(findHost("vim"))
    assert.isUndefined(findHost("__proto__"))
  })

  it("maps each host's own event names onto start / prompt / turn-end / end", () => {
    const table = (name: string) => hookRegistrations(name).map((r) => `${r.hostEvent}:${r.event}`)
    const claudeLike = ["SessionStart:start", "UserPromptSubmit:prompt", "Stop:turn-end", "SessionEnd:end"]
    assert.deepStrictEqual(table("claude-code"), claudeLike)
    assert.deepStrictEqual(table("codex"), claudeLike)
    assert.deepStrictEqual(table("gemini-cli"), [
      "SessionStart:start",
      "BeforeAgent:prompt",
      "AfterAgent:turn-end",
      "SessionEnd:end"
    ])
    assert.deepStrictEqual(table("cursor"), [
      "sessionStart:start",
      "beforeSubmitPrompt:prompt",
      "stop:turn-end",
      "sessionEnd:end"
    ])
    assert.deepStrictEqual(table("opencode"), claudeLike)
    assert.deepStrictEqual(table("cline"), claudeLike)
    assert.deepStrictEqual(table("grok"), [])
  })

  it("asks for host-side timeouts well above the default budget of 1.5 s", () => {
    for (const h of hosts) {
      for (const reg of hookRegistrations(h.id)) {
        const ms = reg.timeout.unit === "s" ? reg.timeout.value * 1000 : reg.timeout.value
        assert.isAtLeast(ms, 3000, `${h.id} ${reg.hostEvent}`)
      }
    }
    assert.deepStrictEqual(hookRegistrations("claude-code")[1]?.timeout, { value: 10, unit: "s" })
    assert.deepStrictEqual(hookRegistrations("gemini-cli")[1]?.timeout, { value: 10_000, unit: "ms" })
  })
})

describe("captured payloads decode", () => {
  it("claude-code: session_id, cwd, every event", () => {
    for (const event of ["SessionStart", "UserPromptSubmit", "Stop", "SessionEnd"]) {
      const p = decode("claude-code", fixture(`claude-code.${event}.json`))
      assert.strictEqual(p.hostSessionId, "a4fe65b5-c27e-445f-ba26-ced122f339de")
      assert.strictEqual(p.cwd, "/home/u/proj-claude")
    }
    assert.isFalse(decode("claude-code", fixture("claude-code.SessionStart.json")).resumed)
    assert.isTrue(decode("claude", '{"session_id":"x","cwd":"/a","source":"resume"}').resumed)
  })

  it("codex: session_id and cwd (turn_id, model and other keys ignored)", () => {
    const p = decode("codex", fixture("codex.UserPromptSubmit.json"))
    assert.strictEqual(p.hostSessionId, "01a21789-ce2a-7172-81f0-6a9c298e1e57")
    assert.strictEqual(p.cwd, "/home/u/work-codex")
    for (const event of ["SessionStart", "Stop", "SessionEnd"]) {
      assert.strictEqual(decode("codex", fixture(`codex.${event}.json`)).cwd, "/home/u/proj-codex")
    }
  })

  it("gemini-cli: session_id and cwd on every event", () => {
    assert.deepStrictEqual(decode("gemini-cli", fixture("gemini-cli.BeforeAgent.json")), {
      hostSessionId: "69e86530-1eb9-480b-8e32-53544e172d7e",
      cwd: "/home/u/work-gemini",
      resumed: false
    })
    for (const event of ["SessionStart", "AfterAgent", "SessionEnd"]) {
      assert.strictEqual(
        decode("gemini-cli", fixture(`gemini-cli.${event}.json`)).hostSessionId,
        "3d6153f1-2b4c-4d5e-8f90-a1b2c3d4e5f6"
      )
    }
  })

  it("cline: taskId and the workspace root from its file-hook payloads, and the shim payload", () => {
    for (const name of ["agent_start", "prompt_submit", "tool_call", "tool_result"]) {
      const p = decode("cline", fixture(`cline.${name}.json`))
      assert.match(p.hostSessionId ?? "", /^conv_/)
      assert.match(p.cwd ?? "", /^\/home\/u\/(work|proj)-cline$/)
    }
    assert.deepStrictEqual(decode("cline", '{"taskId":"conv_1","cwd":"/w"}'), {
      hostSessionId: "conv_1",
      cwd: "/w",
      resumed: false
    })
  })

  it("cursor: conversation_id and the first workspace root", () => {
    for (const event of ["sessionStart", "beforeSubmitPrompt"]) {
      const p = decode("cursor", fixture(`cursor.${event}.json`))
      assert.strictEqual(p.hostSessionId, "c0ffee00-1111-2222-3333-444455556666")
      assert.strictEqual(p.cwd, "/home/u/proj-cursor")
    }
  })

  it("opencode: the shim payload, sessionID or session_id", () => {
    const p = decode("opencode", fixture("opencode.UserPromptSubmit.json"))
    assert.strictEqual(p.hostSessionId, "ses_5f1e2d3c4b5aFfEeDdCcBbAa09")
    assert.strictEqual(p.cwd, "/home/u/proj-opencode")
    assert.strictEqual(decode("opencode", '{"session_id":"ses_x","cwd":"/p"}').hostSessionId, "ses_x")
  })

  it("grok: optional ids; nulls and blanks read as absent", () => {
    assert.deepStrictEqual(decode("grok", '{"cwd":"/p"}'), { hostSessionId: undefined, cwd: "/p" })
    assert.deepStrictEqual(decode("claude-code", '{"session_id":null,"cwd":"  "}').hostSessionId, undefined)
  })

  it("rejects malformed JSON and wrongly typed fields, for every host", () => {
    for (const h of hosts) {
      for (const bad of [
        "not json",
        "[1,2]",
        '"text"',
        "null",
        '{"cwd": 42}',
        '{"session_id": {}, "sessionID": {}, "taskId": {}, "conversation_id": {}}'
      ]) {
        assert.isTrue(Either.isLeft(h.decode(bad)), `${h.id} accepted ${bad}`)
      }
    }
  })
})

describe("replies", () => {
  const TEXT = '<session-bridge-inbox>\nhello "quoted" \u2603\n</session-bridge-inbox>'

  it("claude-code: hookSpecificOutput.additionalContext; empty stdout adds nothing", () => {
    const h = host("claude-code")
    assert.deepStrictEqual(JSON.parse(h.contextReply("UserPromptSubmit", TEXT)), {
      hookSpecificOutput: { hookEventName: "UserPromptSubmit", additionalContext: TEXT }
    })
    for (const e of ["SessionStart", "UserPromptSubmit", "Stop", "SessionEnd"]) assert.strictEqual(h.emptyReply(e), "")
  })

  it("codex: strict output schema on every event; Stop gets {}", () => {
    const h = host("codex")
    for (const e of ["SessionStart", "UserPromptSubmit", "Stop", "SessionEnd"]) {
      assertCodexStrict(h.emptyReply(e), e)
      assertCodexStrict(h.contextReply(e, TEXT), e)
    }
    assert.strictEqual(h.emptyReply("Stop"), "{}")
    assert.strictEqual(h.contextReply("Stop", TEXT), "{}")
    assert.deepStrictEqual(JSON.parse(h.contextReply("UserPromptSubmit", TEXT)), {
      hookSpecificOutput: { hookEventName: "UserPromptSubmit", additionalContext: TEXT }
    })
  })

  it("gemini-cli: JSON only, BeforeAgent additionalContext", () => {
    const h = host("gemini-cli")
    for (const e of ["SessionStart", "BeforeAgent", "AfterAgent", "SessionEnd"])
      assert.deepStrictEqual(JSON.parse(h.emptyReply(e)), {})
    assert.deepStrictEqual(JSON.parse(h.contextReply("BeforeAgent", TEXT)), {
      hookSpecificOutput: { hookEventName: "BeforeAgent", additionalContext: TEXT }
    })
    assert.deepStrictEqual(JSON.parse(h.contextReply("AfterAgent", TEXT)), {})
  })

  it("cursor: additional_context; beforeSubmitPrompt always lets the prompt continue", () => {
    const h = host("cursor")
    assert.deepStrictEqual(JSON.parse(h.contextReply("sessionStart", TEXT)), { additional_context: TEXT })
    assert.deepStrictEqual(JSON.parse(h.contextReply("beforeSubmitPrompt", TEXT)), {
      continue: true,
      additional_context: TEXT
    })
    assert.deepStrictEqual(JSON.parse(h.emptyReply("beforeSubmitPrompt")), { continue: true })
    assert.deepStrictEqual(JSON.parse(h.emptyReply("stop")), {})
  })

  it("opencode, cline, grok: the shim protocol {context} or {}", () => {
    for (const name of ["opencode", "cline", "grok"]) {
      const h = host(name)
      assert.deepStrictEqual(JSON.parse(h.contextReply("UserPromptSubmit", TEXT)), { context: TEXT })
      assert.deepStrictEqual(JSON.parse(h.emptyReply("UserPromptSubmit")), {})
    }
  })
})
