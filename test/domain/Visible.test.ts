import { assert, describe, it } from "@effect/vitest"
import { visible } from "../../src/domain/Visible.js"

/** What a terminal must never receive raw from stored text: C0 (but \n and \t in block layout), DEL, C1, and the invisible or bidi format characters. */
const UNSAFE_BLOCK = new RegExp(
  // oxlint-disable-next-line no-control-regex -- control characters are what this looks for
  "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u180e\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2064\\u2066-\\u206f\\ufeff\\ufff9-\\ufffb\\u{e0000}-\\u{e007f}\\ud800-\\udfff]",
  "u"
)

describe("visible", () => {
  it("shows terminal controls as escapes: ESC, OSC 52, OSC 8, BEL, CR, clear screen", () => {
    assert.strictEqual(visible("a\x1b]52;c;aGk=\x07b"), "a\\x1b]52;c;aGk=\\x07b")
    assert.strictEqual(
      visible("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\"),
      "\\x1b]8;;http://evil\\x1b\\link\\x1b]8;;\\x1b\\"
    )
    assert.strictEqual(visible("ok\rfake"), "ok\\rfake")
    assert.strictEqual(visible("\x1b[2J\x1b[H"), "\\x1b[2J\\x1b[H")
    assert.strictEqual(visible("\x00\x7f\x85\x9b"), "\\x00\\x7f\\x85\\x9b")
  })

  it("shows bidi overrides, zero-width, separators and tag characters as \\u escapes", () => {
    assert.strictEqual(visible("abc\u202edcb"), "abc\\u202edcb")
    assert.strictEqual(visible("a\u200bb\u2066c\u2069\ufeff"), "a\\u200bb\\u2066c\\u2069\\ufeff")
    assert.strictEqual(visible("x\u2028y\u2029z"), "x\\u2028y\\u2029z")
    assert.strictEqual(visible("hi\u{e0041}\u{e007f}"), "hi\\u{e0041}\\u{e007f}")
    assert.strictEqual(visible("lone \ud800 half"), "lone \\ud800 half")
  })

  it("line layout escapes newlines and tabs; block layout keeps them", () => {
    assert.strictEqual(visible("a\nb\tc"), "a\\nb\\tc")
    assert.strictEqual(visible("a\nb\tc\r\n", "block"), "a\nb\tc\\r\n")
  })

  it("json layout escapes what JSON.stringify leaves raw, and the JSON still parses to the exact text", () => {
    const exact = { s: "a\x1b\x7f\x9b\u202e\u200b\u2028\u{e0041}\ud800z\n\t😀" }
    const json = visible(JSON.stringify(exact, null, 2), "json")
    assert.isFalse(UNSAFE_BLOCK.test(json))
    assert.include(json, "\\u007f\\u009b\\u202e\\u200b\\u2028\\udb40\\udc41")
    assert.deepStrictEqual(JSON.parse(json), exact)
  })

  it("leaves ordinary text alone, emoji and non-Latin scripts included", () => {
    for (const s of ["plain", "naïve café", "日本語", "😀 👍🏽", "עברית", "<tag> & \\x1b literal"]) {
      assert.strictEqual(visible(s), s)
      assert.strictEqual(visible(s, "block"), s)
    }
  })

  it("leaves nothing unsafe in any string, and is idempotent", () => {
    let all = ""
    for (let c = 0; c < 0x3000; c++) all += String.fromCharCode(c)
    all += "\ufeff\ufff9\ufffa\ufffb\u{e0001}\u{e0020}\u{e007f}\udc00"
    const block = visible(all, "block")
    const line = visible(all, "line")
    assert.isFalse(UNSAFE_BLOCK.test(block))
    assert.isFalse(UNSAFE_BLOCK.test(line) || /[\n\t]/.test(line))
    assert.strictEqual(visible(block, "block"), block)
    assert.strictEqual(visible(line), line)
  })
})
