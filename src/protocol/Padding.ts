/*
 * Envelope sizes (CLOUD.md 2.4). The decoded `ct` of every envelope is exactly one of these sizes, so the relay sees
 * one of six lengths. ct = eph_pk(32) ‖ AEAD(sig(64) ‖ innerJSON) ‖ tag(16): 112 bytes of overhead around the JSON.
 */
const KiB = 1024
export const CT_BUCKETS: ReadonlyArray<number> = [1 * KiB, 4 * KiB, 16 * KiB, 64 * KiB, 256 * KiB, 512 * KiB]
export const MAX_CT_BYTES = 512 * KiB
export const CT_OVERHEAD = 32 + 64 + 16
/** The body limit of the contract, in UTF-8 bytes, checked before sealing. */
export const MAX_BODY_BYTES = 64 * KiB

/** The ct size for canonical inner JSON of `jsonLength` bytes, or undefined when even the largest is too small. */
export const bucketFor = (jsonLength: number): number | undefined =>
  CT_BUCKETS.find((bucket) => bucket >= jsonLength + CT_OVERHEAD)
