import type { SqlError } from "@effect/sql/SqlError"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import { RelayStoreIo } from "../RelayErrors.js"
import type { Account, Contact, ContactState, Invite, SentState, SentStatus, SpoolEntry } from "../RelayStore.js"

/** A row as a driver returns it: PostgreSQL gives BIGINT as a string and BYTEA as a Buffer, SQLite numbers and Buffers. */
export type Row = Readonly<Record<string, unknown>>

export const num = (value: unknown): number => Number(value)
export const numOrNull = (value: unknown): number | null =>
  value === null || value === undefined ? null : Number(value)
export const bytes = (value: unknown): Uint8Array => (value instanceof Uint8Array ? value : new Uint8Array(0))
export const bytesOrNull = (value: unknown): Uint8Array | null => (value instanceof Uint8Array ? value : null)
export const textOrNull = (value: unknown): string | null => (typeof value === "string" ? value : null)

/** "Now" for the store, from Effect's Clock. */
export const now = Clock.currentTimeMillis

/** Wraps a database failure once, at the adapter: any `SqlError` becomes `RelayStoreIo` naming the operation. */
export const io =
  (op: string) =>
  <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>): Effect.Effect<A, Exclude<E, SqlError> | RelayStoreIo, R> =>
    Effect.catchIf(
      effect,
      (error): error is Extract<E | SqlError, SqlError> =>
        typeof error === "object" && error !== null && "_tag" in error && error._tag === "SqlError",
      (cause) => Effect.fail(new RelayStoreIo({ op, cause }))
    ) as Effect.Effect<A, Exclude<E, SqlError> | RelayStoreIo, R>

export const toAccount = (r: Row): Account => ({
  id: num(r["id"]),
  handle: String(r["handle"]),
  ikPub: bytes(r["ik_pub"]),
  ekRecord: bytes(r["ek_record"]),
  ekSeq: num(r["ek_seq"]),
  nextSeq: num(r["next_seq"]),
  ackedSeq: num(r["acked_seq"]),
  createdAt: num(r["created_at"]),
  disabledAt: numOrNull(r["disabled_at"]),
  lastSeen: numOrNull(r["last_seen"])
})

/** Rows of `invites` joined with the inviter's handle (`inviter_handle`) and the redeemer's (`redeemer_handle`). */
export const toInvite = (r: Row): Invite => ({
  id: bytes(r["id"]),
  inviterId: num(r["inviter_id"]),
  inviterHandle: String(r["inviter_handle"]),
  offer: bytes(r["offer"]),
  reply: bytesOrNull(r["reply"]),
  expiresAt: num(r["expires_at"]),
  redeemedBy: numOrNull(r["redeemed_by"]),
  redeemedByHandle: textOrNull(r["redeemer_handle"]),
  redeemedAt: numOrNull(r["redeemed_at"])
})

/** Rows of `contacts` with `peer_id` and `peer_handle` for the account looking. */
export const toContact = (r: Row): Contact => ({
  peerId: num(r["peer_id"]),
  peerHandle: String(r["peer_handle"]),
  state: String(r["state"]) as ContactState,
  inviteId: bytesOrNull(r["invite_id"]),
  createdAt: num(r["created_at"]),
  acceptedAt: numOrNull(r["accepted_at"]),
  revokedAt: numOrNull(r["revoked_at"])
})

export const toSpoolEntry = (r: Row): SpoolEntry => ({
  seq: num(r["seq"]),
  senderId: num(r["sender_id"]),
  msgId: bytes(r["msg_id"]),
  rk: String(r["rk"]),
  ct: bytes(r["ct"]),
  createdAt: num(r["created_at"]),
  expiresAt: num(r["expires_at"])
})

export const toSentStatus = (r: Row): SentStatus => ({
  recipientId: num(r["recipient_id"]),
  seq: numOrNull(r["seq"]),
  state: String(r["state"]) as SentState,
  reason: textOrNull(r["reason"]),
  updatedAt: num(r["updated_at"])
})

/** A contact row holds the pair ordered, `a_id < b_id`. */
export const pair = (x: number, y: number): readonly [number, number] => (x < y ? [x, y] : [y, x])
