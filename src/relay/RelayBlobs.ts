// Account ids and unix-millisecond times are plain numbers here (RelayStore.ts names them `AccountId` and `UnixMs`),
// so that this file imports nothing back from it.

/** A blob as the store takes it: the ciphertext of an artifact, stored once for the contacts it is granted to. */
export interface BlobInput {
  /** SHA-256 of the ciphertext (the HTTP layer checks it on upload). */
  readonly blobId: Uint8Array
  readonly uploaderId: number
  readonly data: Uint8Array
  readonly expiresAt: number
  readonly grants: ReadonlyArray<number>
}

export interface Blob {
  readonly size: number
  readonly uploaderId: number
  readonly expiresAt: number
  /** The ciphertext in upload order, in rows of at most `RelayLimits.blobChunkBytes`. */
  readonly chunks: ReadonlyArray<Uint8Array>
}

export interface PresenceBlob {
  readonly ownerId: number
  readonly blob: Uint8Array
  readonly updatedAt: number
}
