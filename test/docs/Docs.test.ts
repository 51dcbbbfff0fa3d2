import * as fs from "node:fs"
import { describe, expect, it } from "vitest"
import { ErrorCode } from "../../src/domain/Errors.js"
import { tools } from "../../src/mcp/Tools.js"
import { relayErrorCodes } from "../../src/relay/RelayErrors.js"
import { CLOUD_ERRORS } from "../../src/cloud/CloudErrors.js"

describe("docs match the code", () => {
  it("every error code has a section in docs/troubleshooting.md", () => {
    const doc = fs.readFileSync("docs/troubleshooting.md", "utf8")
    const sections = new Set([...doc.matchAll(/^## ([A-Z_]+)\s*$/gm)].map((m) => m[1]))
    expect(ErrorCode.literals.filter((code) => !sections.has(code))).toEqual([])
  })

  it("every relay store error code has a section in docs/troubleshooting.md", () => {
    const doc = fs.readFileSync("docs/troubleshooting.md", "utf8")
    const sections = new Set([...doc.matchAll(/^## ([A-Z_]+)\s*$/gm)].map((m) => m[1]))
    expect(Object.values(relayErrorCodes).filter((code) => !sections.has(code))).toEqual([])
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
})
