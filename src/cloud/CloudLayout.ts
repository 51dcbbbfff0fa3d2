/** Every path of the cloud client's state, under `<home>/cloud/` (docs/cloud-client.md). */
export const CloudLayout = {
  dir: "cloud",
  identityKey: "cloud/identity.key",
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
  quarantineDir: "cloud/quarantine",
  quarantine: (seq: number, id: string) => `cloud/quarantine/${String(seq).padStart(12, "0")}-${id}.json`,
  /** Contacts' live sessions as last fetched from the relay (written by the daemon's presence fiber). */
  presence: "cloud/presence.json",
  /** Written by the running daemon: `{pid, startedAt}`. */
  daemonPid: "cloud/daemon.pid"
} as const

/** The files that hold secrets: refused by `checkKeyModes` when the group or others can read them. */
export const SECRET_FILES = [CloudLayout.identityKey, CloudLayout.credentials] as const
