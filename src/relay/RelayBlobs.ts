import type { AccountId, UnixMs } from "./RelayStore.js"

/** A blob as the store takes it: the ciphertext of an artifact, stored once for the contacts it is granted to. */
export interface BlobInput {
  /** SHA-256 of the ciphertext (the HTTP layer checks it on upload). */
  readonly blobId: Uint8Array
  readonly uploaderId: AccountId
  readonly data: Uint8Array
  readonly expiresAt: UnixMs
  readonly grants: ReadonlyArray<AccountId>
}

export interface Blob {
  readonly size: number
  readonly uploaderId: AccountId
  readonly expiresAt: UnixMs
  /** The ciphertext in upload order, in rows of at most `RelayLimits.blobChunkBytes`. */
  readonly chunks: ReadonlyArray<Uint8Array>
}

export interface PresenceBlob {
  readonly ownerId: AccountId
  readonly blob: Uint8Array
  readonly updatedAt: UnixMs
}
