import { assert, describe, it } from "@effect/vitest"
import fc from "fast-check"
import { nfc } from "../../src/domain/Nfc.js"

describe("nfc", () => {
  it("is String.prototype.normalize('NFC') for any text", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.string({ unit: "grapheme-composite" })),
        (s) => {
          assert.strictEqual(nfc(s), s.normalize("NFC"))
        }
      ),
      { numRuns: 5000 }
    )
    for (const s of ["", "plain-ascii_label 1", "\u0000\u007f", "e\u0301", "\u00e9", "A\u030a", "\u212b", "\ud800x"])
      assert.strictEqual(nfc(s), s.normalize("NFC"), JSON.stringify(s))
  })
})
