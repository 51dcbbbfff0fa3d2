/** Every path of the cloud client's state, under `<home>/cloud/` (docs/cloud-client.md). */
export const CloudLayout = {
  dir: "cloud",
  identityKey: "cloud/identity.key",
  /** `cloud rotate-identity`: the new identity key (PKCS8) and the statement, until the rotation completes. */
  identityNextKey: "cloud/identity-next.key",
  rotation: "cloud/rotation.json",
  /** Identity keys this home rotated away from, with how long envelopes sealed to them are still opened. */
  previousIdentities: "cloud/identity-previous.json",
  keysDir: "cloud/keys",
  encryptionKey: (keyId: string) => `cloud/keys/${keyId}.json`,
  credentials: "cloud/credentials.json",
  invitesDir: "cloud/invites",
  invite: (id: string) => `cloud/invites/${id}.json`,
  contacts: "cloud/contacts.json",
  cursor: "cloud/cursor",
  /** The seen-ledger: one record per (sender fingerprint, envelope id). */
  seenDir: (senderFprHex: string) => `cloud/seen/${senderFprHex}`,
  seen: (senderFprHex: string, envelopeId: string) => `cloud/seen/${senderFprHex}/${envelopeId}.json`,
  unroutedDir: "cloud/unrouted",
  unrouted: (localId: string) => `cloud/unrouted/${localId}.json`,
  outboxDir: "cloud/outbox",
  outbox: (id: string) => `cloud/outbox/${id}.json`,
  sentDir: "cloud/sent",
  sent: (id: string) => `cloud/sent/${id}.json`,
  /** Per remote message received: the last state a receipt was queued for (`surfaced` or `read`). */
  receiptsDir: "cloud/receipts",
  receipt: (localId: string) => `cloud/receipts/${localId}`,
  /** Per contact account whose daemon opens kind `receipts` (its last message said so, ADR-0058): an empty file. */
  receiptListsDir: "cloud/receipt-lists",
  receiptLists: (accountId: string) => `cloud/receipt-lists/${accountId}`,
  quarantineDir: "cloud/quarantine",
  quarantine: (seq: number, id: string) => `cloud/quarantine/${String(seq).padStart(12, "0")}-${id}.json`,
  /** Contacts' live sessions as last fetched from the relay (written by the daemon's presence fiber). */
  presence: "cloud/presence.json",
  /** Written by the running daemon: `{pid, startedAt}`. */
  daemonPid: "cloud/daemon.pid"
} as const

/** The files that hold secrets: refused by `checkKeyModes` when the group or others can read them. */
export const SECRET_FILES = [
  CloudLayout.identityKey,
  CloudLayout.credentials,
  CloudLayout.identityNextKey,
  CloudLayout.rotation
] as const
