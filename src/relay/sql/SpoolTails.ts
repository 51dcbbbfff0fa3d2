/**
 * Per recipient, an upper bound of the seqs committed to its spool, for a store that hears of every commit: the
 * SQLite relay (one process per file) or a PostgreSQL replica while its LISTEN connection listens (other replicas'
 * commits arrive as notifications that carry their seqs). A poll whose cursor is at or above the bound has nothing to
 * read: it skips the read and parks (docs/adr/0071-sqlite-polls-skip-the-read-a-known-tail-answers.md,
 * docs/adr/0072-pg-replicas-keep-tokens-and-tails-on-notify.md).
 *
 * A bound is set by a read that saw every row above its cursor (`observed`, fewer rows than its limit) and raised
 * by every commit of this process (`committed`, by the group-commit writer once a batch committed). A commit is
 * recorded even for a recipient never read, and both take the maximum, so a read that missed a commit cannot lower
 * the bound below it. Rows only leave a spool (acks, expiry), so a bound stays an upper bound. It is trusted for
 * `trustMs` after the read that set it: a row whose commit went unheard (another process on the same SQLite file, a
 * misconfiguration; a notice lost on a LISTEN connection that still looks alive) is still read within that time.
 */
export interface SpoolTails {
  readonly committed: (recipientId: number, seq: number) => void
  /** What a read is told before it starts, and gives back with what it saw. */
  readonly readStarts: () => number
  /** A read started at `started` saw every row of the recipient up to `upTo` and none above. */
  readonly observed: (recipientId: number, upTo: number, atMs: number, started: number) => void
  /** True when the bound says no row above `after` has been committed. */
  readonly nothingAbove: (recipientId: number, after: number, nowMs: number) => boolean
  /** Forgets every bound and keeps none until `resume` (commits may go unheard); reads in flight set nothing. */
  readonly pause: () => void
  /** Keeps bounds again, from none; reads that started before set nothing. */
  readonly resume: () => void
}

/** How long a read's word on where a recipient's spool ends is trusted: a long-poll's length. */
export const TAIL_TRUST_MS = 25_000

/** How many recipients a store keeps per-recipient state for in memory before it starts over (a few MB at most). */
export const RECIPIENTS_KEPT = 100_000

interface Tail {
  seq: number
  /** When a read last confirmed the bound (NaN: never). */
  readAtMs: number
}

/** A store that does not hear every commit (a PostgreSQL store without a replica's memory): every poll reads. */
export const noTails: SpoolTails = {
  committed: () => {},
  readStarts: () => 0,
  observed: () => {},
  nothingAbove: () => false,
  pause: () => {},
  resume: () => {}
}

/** `paused`: no bound is kept until `resume` (a PostgreSQL replica, until its LISTEN connection listens). */
export const makeSpoolTails = (trustMs: number, kept: number, paused = false): SpoolTails => {
  const tails = new Map<number, Tail>()
  // Bumped when the map starts over: a read that began before forgot nothing it can vouch for (a commit it missed
  // may have been recorded in the entries just dropped), so what it saw sets no bound.
  let generation = 0
  let on = !paused
  // Also when the map is full: it starts over, keeping on.
  const restart = (keeping: boolean) => {
    tails.clear()
    generation++
    on = keeping
  }
  const tailOf = (recipientId: number): Tail => {
    let tail = tails.get(recipientId)
    if (tail === undefined) {
      if (tails.size >= kept) restart(on)
      tail = { seq: 0, readAtMs: Number.NaN }
      tails.set(recipientId, tail)
    }
    return tail
  }
  return {
    committed: (recipientId, seq) => {
      if (!on) return
      const tail = tailOf(recipientId)
      tail.seq = Math.max(tail.seq, seq)
    },
    readStarts: () => generation,
    observed: (recipientId, upTo, atMs, started) => {
      if (!on || started !== generation) return
      const tail = tailOf(recipientId)
      if (started !== generation) return
      tail.seq = Math.max(tail.seq, upTo)
      tail.readAtMs = atMs
    },
    nothingAbove: (recipientId, after, nowMs) => {
      const tail = tails.get(recipientId)
      return tail !== undefined && tail.seq <= after && nowMs - tail.readAtMs < trustMs
    },
    pause: () => restart(false),
    resume: () => restart(true)
  }
}
