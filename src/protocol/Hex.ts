/*
 * Lowercase hex, written out with a table: effect's `Encoding.encodeHex` appends two characters at a time to a
 * string, which leaves a chain of small strings per call (a PostgreSQL relay writes every ciphertext into its batch
 * query as hex, and every request looks its token up by the hash's hex). Same output, which the tests check.
 */

const DIGITS = Uint8Array.from("0123456789abcdef", (c) => c.charCodeAt(0))

/** The output is ASCII, which UTF-8 decodes as it is. */
const ascii = new TextDecoder()

/** `bytes` as lowercase hex. */
export const encodeHex = (bytes: Uint8Array): string => {
  const out = new Uint8Array(bytes.length * 2)
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!
    out[2 * i] = DIGITS[b >> 4]!
    out[2 * i + 1] = DIGITS[b & 15]!
  }
  return ascii.decode(out)
}
