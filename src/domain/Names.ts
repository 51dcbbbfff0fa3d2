import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { CHANNEL_PATTERN, SHA256_PATTERN } from "./IdPatterns.js"
import { InvalidArgument, InvalidName } from "./Errors.js"
import { nfc } from "./Nfc.js"

// oxlint-disable-next-line no-control-regex -- control characters are what this matches
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

/** What kind of invisible or reordering character a code point is, or undefined for an ordinary one. */
const hiddenKind = (cp: number): string | undefined => {
  if (cp <= 0x1f || cp === 0x7f || (cp >= 0x80 && cp <= 0x9f)) return "a control character"
  if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x200e || cp === 0x200f)
    return "a bidirectional control"
  if (cp === 0x061c) return "a bidirectional control"
  if ((cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0xfeff) return "a zero-width character"
  return undefined
}

/** `U+202E`: a code point as people write it. */
export const codePoint = (cp: number): string => `U+${cp.toString(16).toUpperCase().padStart(4, "0")}`

/** `name` quoted for a message, with every hidden character written as \u{…} so the message itself is safe. */
export const quoteName = (name: string, max = 80): string => {
  const shown = Array.from(name.slice(0, max))
    .map((ch) => (hiddenKind(ch.codePointAt(0)!) === undefined ? ch : `\\u{${ch.codePointAt(0)!.toString(16)}}`))
    .join("")
  return JSON.stringify(shown).replace(/\\\\u\{/g, "\\u{") + (name.length > max ? "…" : "")
}

/** The first hidden character of `name` (control, bidirectional control, zero-width), described; or undefined. */
export const hiddenCharacter = (name: string): string | undefined => {
  let index = 0
  for (const ch of name) {
    const cp = ch.codePointAt(0)!
    const kind = hiddenKind(cp)
    if (kind !== undefined) return `${codePoint(cp)} (${kind}) at position ${index + 1}`
    index++
  }
  return undefined
}

/**
 * Why `name` (already NFC) is refused as something people read and compare: blank, or holding a control
 * character, a bidirectional control or a zero-width character (named by code point). Undefined when it is fine.
 */
export const displayProblem = (what: string, name: string): string | undefined => {
  if (name.trim() === "") return `${what} is blank`
  const hidden = hiddenCharacter(name)
  return hidden === undefined ? undefined : `${what} ${quoteName(name)} contains ${hidden}`
}

/** The label rules: 1-64 characters, no '/', '\', '.' or '..' alone, nothing hidden, not blank. */
export const LABEL_MAX = 64
export const LABEL_RULES = `A label is 1-${LABEL_MAX} visible characters with no '/', '\\', control, bidirectional or zero-width characters.`

/** A label as given, normalised (NFC) and checked: Right(label) or Left(why it is refused). */
export const checkLabel = (raw: string, what = "label"): Either.Either<string, string> => {
  const name = nfc(raw)
  const problem = displayProblem(what, name)
  if (problem !== undefined) return Either.left(problem)
  if (!isSafeSegment(name, LABEL_MAX))
    return Either.left(
      name.length > LABEL_MAX
        ? `${what} is ${name.length} characters; the limit is ${LABEL_MAX}`
        : `${what} ${quoteName(name)} contains '/' or '\\' or is '.' or '..'`
    )
  return Either.right(name)
}

const safeName = (what: string, maxLength: number) =>
  Schema.String.pipe(
    Schema.filter(
      (s) =>
        isSafeSegment(s, maxLength) ||
        `${what} must be 1-${maxLength} characters with no '/', '\\', '..', NUL or control characters`
    )
  )

/**
 * A human label for a session, e.g. "planner", as stored. New labels pass `checkLabel` first; this schema stays as
 * lenient as before so a record written by an older version still reads.
 */
export const Label = safeName("a label", LABEL_MAX).pipe(Schema.brand("session-bridge/Label"))
export type Label = typeof Label.Type

/** A label entering the bridge (tool argument, CLI flag, environment), as a Label; INVALID_NAME naming the problem. */
export const requireLabel = (raw: string, what = "label"): Effect.Effect<Label, InvalidName> =>
  Either.match(checkLabel(raw, what), {
    onLeft: (why) => Effect.fail(new InvalidName({ message: why, hint: LABEL_RULES })),
    onRight: (name) => Effect.succeed(Schema.decodeSync(Label)(name))
  })

/** A channel name without its leading '#': lowercase letters, digits, '-', '_', '.'. */
export const ChannelName = Schema.String.pipe(
  Schema.filter(
    (s) => CHANNEL_PATTERN.test(s) || "a channel name is 1-64 of a-z 0-9 . _ - and starts with a letter or digit"
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

/** Why a channel reference ("#name" or "name") is refused: blank, a hidden character by code point, or its form. */
export const channelProblem = (raw: string): string => {
  const name = nfc(raw)
  return (
    displayProblem("channel name", name) ??
    `invalid channel name ${quoteName(name)}: a channel is '#' plus 1-64 of a-z 0-9 . _ - starting with a letter or digit`
  )
}

/** Artifact names: a base name of at most this many UTF-8 bytes. */
export const ARTIFACT_NAME_MAX_BYTES = 255
/** MIME types: at most this many characters. */
export const MIME_TYPE_MAX = 255

/** An artifact name, normalised (NFC) and checked as a base name: Right(name) or Left(why it is refused). */
export const checkArtifactName = (raw: string): Either.Either<string, string> => {
  const name = nfc(raw)
  const problem = displayProblem("artifact name", name)
  if (problem !== undefined) return Either.left(problem)
  const bytes = new TextEncoder().encode(name).length
  if (bytes > ARTIFACT_NAME_MAX_BYTES)
    return Either.left(`artifact name is ${bytes} bytes of UTF-8; the limit is ${ARTIFACT_NAME_MAX_BYTES}`)
  if (name.includes("/") || name.includes("\\"))
    return Either.left(
      `artifact name ${quoteName(name)} contains a path separator; give a base name such as "notes.md"`
    )
  if (/^\.+$/.test(name)) return Either.left(`artifact name ${quoteName(name)} is only dots`)
  return Either.right(name)
}

/** An artifact name as given to post; INVALID_NAME naming the problem. */
export const requireArtifactName = (raw: string): Effect.Effect<string, InvalidName> =>
  Either.match(checkArtifactName(raw), {
    onLeft: (why) =>
      Effect.fail(
        new InvalidName({
          message: why,
          hint: `An artifact name is a file's base name: 1-${ARTIFACT_NAME_MAX_BYTES} bytes, no '/', '\\', control, bidirectional or zero-width characters.`
        })
      ),
    onRight: Effect.succeed
  })

// RFC 6838 restricted-name for type and subtype; RFC 9110 token / quoted-string for parameters.
const RESTRICTED = "[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"
const QUOTED = '"(?:[\\t !#-\\[\\]-~]|\\\\[\\t !-~])*"'
const MIME = new RegExp(`^${RESTRICTED}/${RESTRICTED}(?:[ \\t]*;[ \\t]*${TOKEN}=(?:${TOKEN}|${QUOTED}))*$`)

/** A MIME type checked against RFC 6838 (`type/subtype`, optional `; name=value` parameters), at most 255 characters. */
export const checkMimeType = (raw: string): Either.Either<string, string> => {
  if (raw.length > MIME_TYPE_MAX)
    return Either.left(`mimeType is ${raw.length} characters; the limit is ${MIME_TYPE_MAX}`)
  const hidden = hiddenCharacter(raw)
  if (hidden !== undefined) return Either.left(`mimeType ${quoteName(raw)} contains ${hidden}`)
  if (!MIME.test(raw))
    return Either.left(
      `mimeType ${quoteName(raw)} is not a MIME type: expected type/subtype with optional "; name=value" parameters`
    )
  return Either.right(raw)
}

/** A MIME type as given to post; INVALID_ARGUMENT naming the problem. */
export const requireMimeType = (raw: string): Effect.Effect<string, InvalidArgument> =>
  Either.match(checkMimeType(raw), {
    onLeft: (why) =>
      Effect.fail(
        new InvalidArgument({
          message: why,
          hint: 'Pass a MIME type such as "text/markdown" or "application/json; charset=utf-8".'
        })
      ),
    onRight: Effect.succeed
  })

export const Sha256 = Schema.String.pipe(
  Schema.filter((s) => SHA256_PATTERN.test(s) || "a sha256 is 64 lowercase hex characters"),
  Schema.brand("session-bridge/Sha256")
)
export type Sha256 = typeof Sha256.Type
