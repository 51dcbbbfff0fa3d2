import * as Exit from "effect/Exit"
import { toHex } from "../../protocol/Bytes.js"
import { AccountNotFound, ContactRevoked, NotAContact, RecipientQuota } from "../RelayErrors.js"
import type { Enqueued, EnqueueInput } from "../RelayStore.js"
import { num, pair, type Row } from "./Rows.js"

/** Why one message of a batch is refused; the others of the batch are stored all the same. */
export type EnqueueRefusal = NotAContact | ContactRevoked | RecipientQuota | AccountNotFound

export const idKey = (senderId: number, msgId: Uint8Array) => `${senderId}:${toHex(msgId)}`
export const pairKey = (x: number, y: number) => pair(x, y).join(":")

/** What the batch read under the recipients' row locks, as the rows each engine's queries answer. */
export interface BatchReads {
  /** `id, next_seq` of every locked (existing, enabled) recipient. */
  readonly locked: ReadonlyArray<Row>
  /** `recipient_id, n`: spool rows waiting per recipient. */
  readonly waiting: ReadonlyArray<Row>
  /** `sender_id, msg_id, seq` of the batch's ids already stored. */
  readonly stored: ReadonlyArray<Row>
  /** `a_id, b_id, state` of the batch's pairs. */
  readonly contacts: ReadonlyArray<Row>
}

/** One `spool` row, by column. */
export type SpoolRow = {
  readonly recipient_id: number
  readonly seq: number
  readonly sender_id: number
  readonly msg_id: Uint8Array
  readonly rk: string
  readonly ct: Uint8Array
  readonly created_at: number
  readonly expires_at: number
}

/** One `sent_status` row of a stored message, by column. */
export type SentRow = {
  readonly sender_id: number
  readonly msg_id: Uint8Array
  readonly recipient_id: number
  readonly seq: number
  readonly state: "stored"
  readonly updated_at: number
}

/** What the batch writes: the spool and sent_status rows, and each moved recipient's new `next_seq`. */
export interface BatchWrites {
  readonly spool: ReadonlyArray<SpoolRow>
  readonly sent: ReadonlyArray<SentRow>
  readonly moved: ReadonlyArray<readonly [id: number, next: number]>
}

export interface Decided extends BatchWrites {
  readonly outcomes: ReadonlyArray<Exit.Exit<Enqueued, EnqueueRefusal>>
}

interface Recipient {
  /** The last seq handed out, as read under the row lock, plus what this batch handed out since. */
  next: number
  readonly start: number
  /** Spool rows waiting for the recipient, this batch's included. */
  pending: number
}

/** The distinct recipients of a batch in primary-key order: the order their rows are locked in. */
export const recipientIds = (items: ReadonlyArray<EnqueueInput>): ReadonlyArray<number> =>
  [...new Set(items.map((m) => m.recipientId))].sort((x, y) => x - y)

/** Each sender's msg ids of the batch (the duplicate lookup's keys). */
export const idsBySender = (items: ReadonlyArray<EnqueueInput>): Map<number, Array<Uint8Array>> => {
  const bySender = new Map<number, Array<Uint8Array>>()
  for (const m of items) bySender.set(m.senderId, [...(bySender.get(m.senderId) ?? []), m.msgId])
  return bySender
}

/** The batch's distinct `(a_id, b_id)` contact pairs. */
export const contactPairs = (items: ReadonlyArray<EnqueueInput>): ReadonlyArray<readonly [number, number]> => [
  ...new Map(items.map((m) => [pairKey(m.senderId, m.recipientId), pair(m.senderId, m.recipientId)])).values()
]

/**
 * Decides each message in arrival order from what was read under the locks (CLOUD.md 2.7): a known
 * `(sender, msgId)` answers its first seq (`duplicate`), a missing or disabled recipient, a pair that is not an
 * active contact and a full recipient refuse that message only; a stored one takes its recipient's next seq.
 * Pure: the engines share it and differ only in how they read and write.
 */
export const decide = (
  items: ReadonlyArray<EnqueueInput>,
  reads: BatchReads,
  pendingCap: number,
  at: number
): Decided => {
  const pendingOf = new Map(reads.waiting.map((r) => [num(r["recipient_id"]), num(r["n"])]))
  const recipients = new Map<number, Recipient>()
  for (const r of reads.locked) {
    const id = num(r["id"])
    const next = num(r["next_seq"])
    recipients.set(id, { next, start: next, pending: pendingOf.get(id) ?? 0 })
  }
  const known = new Map<string, Enqueued>()
  for (const r of reads.stored) {
    const msgId = r["msg_id"]
    if (msgId instanceof Uint8Array) {
      known.set(idKey(num(r["sender_id"]), msgId), { seq: num(r["seq"] ?? 0), duplicate: true })
    }
  }
  const contacts = new Map(reads.contacts.map((r) => [`${num(r["a_id"])}:${num(r["b_id"])}`, r["state"]]))
  const spool: Array<SpoolRow> = []
  const sent: Array<SentRow> = []
  const outcomes = items.map((m): Exit.Exit<Enqueued, EnqueueRefusal> => {
    const key = idKey(m.senderId, m.msgId)
    const duplicate = known.get(key)
    if (duplicate !== undefined) return Exit.succeed(duplicate)
    const recipient = recipients.get(m.recipientId)
    if (recipient === undefined) return Exit.fail(new AccountNotFound({ account: String(m.recipientId) }))
    const state = contacts.get(pairKey(m.senderId, m.recipientId))
    if (state === "revoked") return Exit.fail(new ContactRevoked())
    if (state !== "active") return Exit.fail(new NotAContact())
    if (recipient.pending >= pendingCap) return Exit.fail(new RecipientQuota({ what: "messages", limit: pendingCap }))
    const seq = ++recipient.next
    recipient.pending++
    known.set(key, { seq, duplicate: true })
    spool.push({
      recipient_id: m.recipientId,
      seq,
      sender_id: m.senderId,
      msg_id: m.msgId,
      rk: m.rk,
      ct: m.ct,
      created_at: at,
      expires_at: m.expiresAt
    })
    sent.push({
      sender_id: m.senderId,
      msg_id: m.msgId,
      recipient_id: m.recipientId,
      seq,
      state: "stored",
      updated_at: at
    })
    return Exit.succeed({ seq, duplicate: false })
  })
  const moved = [...recipients].filter(([, r]) => r.next !== r.start).map(([id, r]) => [id, r.next] as const)
  return { outcomes, spool, sent, moved }
}
