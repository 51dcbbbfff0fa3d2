import { assert, describe, it } from "@effect/vitest"
import { Either } from "effect"
import { channelProblem, checkArtifactName, checkLabel, checkMimeType, quoteName } from "../../src/domain/Names.js"

const refused = (result: Either.Either<string, string>): string => {
  assert.isTrue(Either.isLeft(result), `expected a refusal, got ${JSON.stringify(result)}`)
  return Either.isLeft(result) ? result.left : ""
}

describe("labels", () => {
  it.each([
    ["a\u202Eb", "U+202E"],
    ["a\u202Ab", "U+202A"],
    ["x\u2066", "U+2066"],
    ["x\u2069", "U+2069"],
    ["\u200Ex", "U+200E"],
    ["\u200Fx", "U+200F"],
    ["x\u061C", "U+061C"],
    ["zero\u200Bwidth", "U+200B"],
    ["zero\u200Dwidth", "U+200D"],
    ["x\u2060", "U+2060"],
    ["\uFEFFx", "U+FEFF"],
    ["tab\there", "U+0009"],
    ["nul\u0000", "U+0000"],
    ["del\u007F", "U+007F"],
    ["c1\u0085", "U+0085"]
  ])("refuses %j naming %s", (label, cp) => {
    const why = refused(checkLabel(label))
    assert.include(why, cp)
    // The message itself carries no hidden character.
    assert.notInclude(why, label)
  })

  it("refuses blank, separators, dot names and over-long labels", () => {
    assert.include(refused(checkLabel("   ")), "blank")
    assert.include(refused(checkLabel("")), "blank")
    assert.include(refused(checkLabel("a/b")), "'/'")
    assert.include(refused(checkLabel("a\\b")), "'/'")
    refused(checkLabel(".."))
    assert.include(refused(checkLabel("x".repeat(65))), "limit is 64")
  })

  it("accepts ordinary labels and normalises them to NFC", () => {
    assert.deepStrictEqual(checkLabel("planner"), Either.right("planner"))
    assert.deepStrictEqual(checkLabel("équipe 2"), Either.right("équipe 2"))
    assert.deepStrictEqual(checkLabel("e\u0301quipe"), Either.right("\u00e9quipe"))
  })
})

describe("channel names", () => {
  it("name a hidden character by code point, else explain the form", () => {
    assert.include(channelProblem("#a\u200Bb"), "U+200B")
    assert.include(channelProblem("#rel\u202Eesae"), "U+202E")
    assert.include(channelProblem(" "), "blank")
    assert.include(channelProblem("#a/b"), "a-z 0-9")
  })
})

describe("artifact names", () => {
  it.each([
    ["../../etc/passwd", "path separator"],
    ["a\\b", "path separator"],
    ["..", "only dots"],
    [".", "only dots"],
    ["a\r\nb", "U+000D"],
    ["nul\u0000", "U+0000"],
    ["x\u202Etxt.exe", "U+202E"],
    ["  ", "blank"],
    ["x".repeat(10_000), "limit is 255"],
    ["é".repeat(128), "limit is 255"]
  ])("refuses %j (%s)", (name, why) => {
    assert.include(refused(checkArtifactName(name)), why)
  })

  it("accepts base names up to 255 bytes", () => {
    assert.deepStrictEqual(checkArtifactName("notes.md"), Either.right("notes.md"))
    assert.deepStrictEqual(checkArtifactName("..notes"), Either.right("..notes"))
    assert.isTrue(Either.isRight(checkArtifactName("x".repeat(255))))
  })
})

describe("MIME types", () => {
  it.each([
    "text/plain",
    "text/plain; charset=utf-8",
    "application/vnd.api+json",
    "image/svg+xml",
    'multipart/form-data; boundary="a b \\" c"'
  ])("accepts %j", (mime) => {
    assert.deepStrictEqual(checkMimeType(mime), Either.right(mime))
  })

  it.each([
    ["text/plain\r\nX-Evil: 1", "U+000D"],
    ["text/plain\u0000", "U+0000"],
    ["text", "not a MIME type"],
    ["text/", "not a MIME type"],
    ["/plain", "not a MIME type"],
    ["text/plain/x", "not a MIME type"],
    ["text/plain; charset", "not a MIME type"],
    ["tëxt/plain", "not a MIME type"],
    ["a/" + "b".repeat(300), "limit is 255"]
  ])("refuses %j (%s)", (mime, why) => {
    assert.include(refused(checkMimeType(mime)), why)
  })
})

describe("quoteName", () => {
  it("writes hidden characters as escapes", () => {
    assert.strictEqual(quoteName("a\u202Eb"), '"a\\u{202e}b"')
  })
})
