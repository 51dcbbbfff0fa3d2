// Plain values, no Effect: the launcher's hook fast path reads ids' times too (BroadcastAge.ts).

/** The ULID alphabet (Crockford base32). */
export const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

/** The first ten characters of a ULID: `ms` in Crockford base32. */
export const encodeTime = (ms: number): string => {
  let out = ""
  let t = ms
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[t % 32] + out
    t = Math.floor(t / 32)
  }
  return out
}

/** The creation time, in epoch milliseconds, carried by a ULID. */
export const decodeTime = (ulid: string): number => {
  let t = 0
  for (let i = 0; i < 10; i++) t = t * 32 + CROCKFORD.indexOf(ulid[i] ?? "0")
  return t
}
