/**
 * How long after a file's or directory's last change (its mtime) a read of it can be trusted to be current while
 * the mtime stays the same: a later change within the same timestamp tick would otherwise go unseen. File systems
 * with whole-second timestamps (FAT, HFS+, some network mounts) need 2 s; one whose mtimes carry a sub-second part
 * (ext4, xfs, btrfs, tmpfs, APFS) ticks in at most a few milliseconds.
 */
export const MTIME_TRUST_MS = 2000
export const FINE_MTIME_TRUST_MS = 50

/** How long after `mtimeMs` a read must have been made to be trusted while the mtime stays the same. */
export const mtimeTrustMs = (mtimeMs: number): number => (mtimeMs % 1000 === 0 ? MTIME_TRUST_MS : FINE_MTIME_TRUST_MS)

/**
 * Whether a listing (or anything read from a directory) made at `listedAt` while the directory's mtime was
 * `listedMtimeMs` still stands for it now that its mtime is `mtimeMs`: unchanged, known (not 0) and old enough then.
 */
export const stillCurrent = (
  listed: { readonly mtimeMs: number; readonly listedAt: number } | undefined,
  mtimeMs: number
): boolean =>
  listed !== undefined && mtimeMs > 0 && listed.mtimeMs === mtimeMs && listed.listedAt - mtimeMs > mtimeTrustMs(mtimeMs)
