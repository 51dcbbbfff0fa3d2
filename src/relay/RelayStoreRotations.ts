import type * as Effect from "effect/Effect"
import type { AccountNotFound, EkSeqStale, RelayAuth, RelayStoreIo } from "./RelayErrors.js"

/*
 * The part of the RelayStore port for token and identity rotation (CLOUD.md 2.10, 2.11). RelayStoreShape extends
 * it; both layers implement it in src/relay/sql/RotationSql.ts. Account ids and times are plain numbers here (a
 * database id, unix ms), as in RelayStore.ts.
 */

/** A continuity statement an account published when it changed its identity key. */
export interface IdentityRotation {
  readonly accountId: number
  readonly oldIk: Uint8Array
  readonly newIk: Uint8Array
  /** The statement's own time (signed), unix ms. */
  readonly ts: number
  readonly sigOld: Uint8Array
  readonly sigNew: Uint8Array
  /** When the relay stored it. */
  readonly createdAt: number
}

/**
 * What `rotateIdentity` did: `rotated`; `duplicate` when this very statement is already applied (a retry);
 * `stale` when the account's identity key is no longer the statement's old key (nothing changed).
 */
export type IdentityRotated = "rotated" | "duplicate" | "stale"

export interface RotationStorePart {
  /**
   * Token rotation in one transaction: the new token's SHA-256 stored and the old one revoked, with an audit row.
   * False, with nothing changed, when the new hash is already stored; `RelayAuth` when the old token is not live.
   */
  readonly rotateToken: (input: {
    readonly accountId: number
    readonly oldTokenHash: Uint8Array
    readonly newTokenHash: Uint8Array
  }) => Effect.Effect<boolean, RelayAuth | RelayStoreIo>
  /**
   * Identity rotation in one transaction: the account's identity key becomes `newIk` (only while it is `oldIk`), its
   * encryption-key record the one the new key signed (its seq must rise), the statement kept for its contacts, and
   * an audit row. A statement already applied answers `duplicate`.
   */
  readonly rotateIdentity: (
    input: Omit<IdentityRotation, "createdAt"> & { readonly ekRecord: Uint8Array; readonly ekSeq: number }
  ) => Effect.Effect<IdentityRotated, AccountNotFound | EkSeqStale | RelayStoreIo>
  /** The statements of every account `viewerId` has a contact row with (any state), oldest first. */
  readonly listIdentityRotations: (viewerId: number) => Effect.Effect<ReadonlyArray<IdentityRotation>, RelayStoreIo>
}
