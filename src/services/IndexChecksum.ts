import * as Context from "effect/Context"

/**
 * CRC-32 (the ISO-HDLC polynomial, zlib's `crc32`) of bytes: the search index file's checksum. The platform layer
 * provides the native one; without it, search uses the table-driven one in src/bridge/Crc32.ts, which gives the
 * same numbers (ADR-0080).
 */
export interface IndexChecksumShape {
  readonly crc32: (bytes: Uint8Array) => number
}

export class IndexChecksum extends Context.Tag("session-bridge/IndexChecksum")<IndexChecksum, IndexChecksumShape>() {}
