import * as Schema from "effect/Schema"

const CONTROL = /[\u0000-\u001f\u007f]/

/** True when `name` is safe as one path segment: no separators, no dot names, no NUL or control characters. */
export const isSafeSegment = (name: string, maxLength = 128): boolean =>
  name.length > 0 &&
  name.length <= maxLength &&
  name !== "." &&
  name !== ".." &&
  !name.includes("/") &&
  !name.includes("\\") &&
  !CONTROL.test(name)

const safeName = (what: string, maxLength: number) =>
  Schema.String.pipe(
    Schema.filter(
      (s) =>
        isSafeSegment(s, maxLength) ||
        `${what} must be 1-${maxLength} characters with no '/', '\\', '..', NUL or control characters`
    )
  )

/** A human label for a session, e.g. "planner". */
export const Label = safeName("a label", 64).pipe(Schema.brand("session-bridge/Label"))
export type Label = typeof Label.Type

/** A channel name without its leading '#': lowercase letters, digits, '-', '_', '.'. */
export const ChannelName = Schema.String.pipe(
  Schema.filter(
    (s) =>
      /^[a-z0-9][a-z0-9._-]{0,63}$/.test(s) ||
      "a channel name is 1-64 of a-z 0-9 . _ - and starts with a letter or digit"
  ),
  Schema.brand("session-bridge/ChannelName")
)
export type ChannelName = typeof ChannelName.Type

/** Accepts "#name" or "name" (any case) and yields the canonical ChannelName. */
export const ChannelRef = Schema.transform(Schema.String, ChannelName, {
  strict: false,
  decode: (s) => (s.startsWith("#") ? s.slice(1) : s).toLowerCase(),
  encode: (s) => s
})

export const Sha256 = Schema.String.pipe(
  Schema.filter((s) => /^[0-9a-f]{64}$/.test(s) || "a sha256 is 64 lowercase hex characters"),
  Schema.brand("session-bridge/Sha256")
)
export type Sha256 = typeof Sha256.Type
