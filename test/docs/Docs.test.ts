import * as fs from "node:fs"
import { describe, expect, it } from "vitest"
import { bridgeErrors, ErrorCode } from "../../src/domain/Errors.js"
import { tools } from "../../src/mcp/Tools.js"
import { httpErrorCodes, httpErrors } from "../../src/relay/HttpErrors.js"
import { relayErrorCodes, relayErrors } from "../../src/relay/RelayErrors.js"
import { CLOUD_ERRORS, cloudErrors } from "../../src/cloud/CloudErrors.js"
import { PROTOCOL_ERRORS, protocolErrors } from "../../src/protocol/ProtocolErrors.js"

describe("docs match the code", () => {
  it("every error code has a section in docs/troubleshooting.md", () => {
    const doc = fs.readFileSync("docs/troubleshooting.md", "utf8")
    const sections = new Set([...doc.matchAll(/^## ([A-Z_]+)\s*$/gm)].map((m) => m[1]))
    expect(ErrorCode.literals.filter((code) => !sections.has(code))).toEqual([])
  })

  it("every code of every error table (local, relay store, relay HTTP, cloud, protocol) has a section", () => {
    const doc = fs.readFileSync("docs/troubleshooting.md", "utf8")
    const sections = new Set([...doc.matchAll(/^## ([A-Z_]+)\b/gm)].map((m) => m[1]))
    const books = { bridgeErrors, relayErrors, httpErrors, cloudErrors, protocolErrors }
    const missing = Object.entries(books).flatMap(([name, book]) =>
      book.codes.filter((code) => !sections.has(code)).map((code) => `${name}: ${code}`)
    )
    expect(missing).toEqual([])
    // The local table covers every code but HOME_UNSAFE, which only a Store failure (a refused file) shows.
    expect(ErrorCode.literals.filter((code) => !(bridgeErrors.codes as ReadonlyArray<string>).includes(code))).toEqual([
      "HOME_UNSAFE"
    ])
  })

  it("every relay store error code has a section in docs/troubleshooting.md", () => {
    const doc = fs.readFileSync("docs/troubleshooting.md", "utf8")
    const sections = new Set([...doc.matchAll(/^## ([A-Z_]+)\s*$/gm)].map((m) => m[1]))
    expect(Object.values(relayErrorCodes).filter((code) => !sections.has(code))).toEqual([])
  })

  it("every relay HTTP error code has a section in docs/troubleshooting.md and a row in docs/relay-api.md", () => {
    const doc = fs.readFileSync("docs/troubleshooting.md", "utf8")
    const api = fs.readFileSync("docs/relay-api.md", "utf8")
    const sections = new Set([...doc.matchAll(/^## ([A-Z_]+)\s*$/gm)].map((m) => m[1]))
    const codes = [...Object.values(httpErrorCodes), "REGISTRATION_PROOF_INVALID", "KEY_RECORD_INVALID"]
    expect(codes.filter((code) => !sections.has(code))).toEqual([])
    expect(codes.filter((code) => !api.includes(code))).toEqual([])
  })

  it("every protocol error code has a section in docs/troubleshooting.md", () => {
    const doc = fs.readFileSync("docs/troubleshooting.md", "utf8")
    const sections = new Set([...doc.matchAll(/^## ([A-Z_]+)\b/gm)].map((m) => m[1]))
    expect(Object.values(PROTOCOL_ERRORS).filter((e) => !sections.has(e.code))).toEqual([])
  })

  it("every cloud client error code has a section in docs/troubleshooting.md", () => {
    const doc = fs.readFileSync("docs/troubleshooting.md", "utf8")
    const sections = new Set([...doc.matchAll(/^## ([A-Z_]+)\b/gm)].map((m) => m[1]))
    expect(Object.values(CLOUD_ERRORS).filter((e) => !sections.has(e.code))).toEqual([])
  })

  it("every tool is documented in docs/tools.md", () => {
    const doc = fs.readFileSync("docs/tools.md", "utf8")
    expect(
      tools.map((t) => t.name).filter((name) => !doc.includes(`## ${name}`) && !doc.includes(`### ${name}`))
    ).toEqual([])
  })

  it("docs/tools.md lists each tool's title and hints as the code sets them", () => {
    const doc = fs.readFileSync("docs/tools.md", "utf8")
    const yn = (b: boolean) => (b ? "yes" : "no")
    const rows = tools.map((t) => {
      const h = t.hints
      return `| \`${t.name}\` | ${t.title} | ${[h.readOnlyHint, h.destructiveHint, h.idempotentHint, h.openWorldHint].map(yn).join(" | ")} |`
    })
    expect(rows.filter((row) => !doc.includes(row))).toEqual([])
  })
})

describe("the CLI docs match the command table", () => {
  it("every command and subcommand is documented as `session-bridge <path>` in docs/ or the README", async () => {
    const { rootSpec } = await import("../../src/cli/main.js")
    const { allCommands } = await import("../../src/cli/CommandTree.js")
    const docs = [
      "README.md",
      ...fs
        .readdirSync("docs")
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`)
    ]
      .map((f) => fs.readFileSync(f, "utf8"))
      .join("\n")
    const paths = allCommands(rootSpec).map((c) => c.path.join(" "))
    expect(paths.filter((p) => !docs.includes(`session-bridge ${p}`))).toEqual([])
  })
})
