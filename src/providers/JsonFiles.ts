import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ConfigInvalid } from "../domain/Errors.js"
import { isOurHookCommand } from "./Commands.js"
import { getAt, isObject, type Json, type JsonObject, parseObject, setAt } from "./JsonEdit.js"
import type { HostId, ManagedFile } from "./Provider.js"

type KeyPath = ReadonlyArray<string>

const docOf = (path: string, text: string, allowComments: boolean) => ({ path, text, allowComments })

const isEmptyJson =
  (allowComments: boolean, ignore: ReadonlyArray<string> = []) =>
  (text: string) => {
    if (text.trim() === "") return true
    const parsed = Effect.runSync(Effect.either(parseObject(docOf("", text, allowComments))))
    return parsed._tag === "Right" && Object.keys(parsed.right).every((k) => ignore.includes(k))
  }

/** Removes the object at `path` and then each listed parent that is left empty. */
const removeAndPrune = (
  text: string,
  path: KeyPath,
  prune: ReadonlyArray<KeyPath>
): Effect.Effect<string, ConfigInvalid> =>
  Effect.sync(() => {
    let out = setAt(text, path, undefined)
    for (const p of prune) {
      const v = getAt(Effect.runSync(parseLoose(out)), p)
      if (isObject(v) && Object.keys(v).length === 0) out = setAt(out, p, undefined)
    }
    return out
  })

const parseLoose = (text: string) => Effect.orElseSucceed(parseObject(docOf("", text, true)), (): JsonObject => ({}))

/** A JSON file where we own one keyed entry (an MCP server), preserving everything else. */
export const jsonEntryFile = (options: {
  readonly path: string
  readonly role: string
  readonly allowComments: boolean
  readonly key: KeyPath
  readonly value: Json
  /** Parents to drop when our entry was their last child. */
  readonly prune: ReadonlyArray<KeyPath>
  /** Top-level keys to write when the file is created (e.g. "$schema"). */
  readonly seed?: JsonObject
  /** Top-level keys that do not make the file worth keeping. */
  readonly ignoreWhenEmpty?: ReadonlyArray<string>
}): ManagedFile => ({
  path: options.path,
  role: options.role,
  install: (current) =>
    Effect.gen(function* () {
      const text = Option.getOrElse(current, () => "")
      yield* parseObject(docOf(options.path, text, options.allowComments))
      let out = text
      if (Option.isNone(current) && options.seed !== undefined)
        for (const [k, v] of Object.entries(options.seed)) out = setAt(out, [k], v)
      return setAt(out, options.key, options.value)
    }),
  uninstall: (current) =>
    Effect.zipRight(
      parseObject(docOf(options.path, current, options.allowComments)),
      removeAndPrune(current, options.key, options.prune)
    ),
  isEmpty: isEmptyJson(options.allowComments, options.ignoreWhenEmpty)
})

/** Our hooks for one event: a nested group (Claude Code, Codex, Gemini CLI) or flat entries (Cursor). */
export interface HookSpec {
  readonly event: string
  /** The group (nested) or the entry (flat) we insert. */
  readonly entry: JsonObject
}

const isOurEntry = (provider: HostId) => (h: Json) => isObject(h) && isOurHookCommand(h["command"], provider)

/**
 * `groups` with our hooks taken out and `ours` put where our first one was (else at the end), so a
 * second install changes nothing and user hooks keep their order.
 */
export const mergeHookList = (
  path: string,
  event: string,
  existing: Json | undefined,
  ours: JsonObject | undefined,
  provider: HostId,
  nested: boolean
): Effect.Effect<ReadonlyArray<Json>, ConfigInvalid> => {
  if (existing !== undefined && !Array.isArray(existing))
    return Effect.fail(
      new ConfigInvalid({
        message: `${path}: hooks.${event} is not a list`,
        hint: "Fix the file, then rerun. Nothing was written."
      })
    )
  const list: ReadonlyArray<Json> = existing ?? []
  const out: Array<Json> = []
  let insertAt = -1
  for (const item of list) {
    if (nested && isObject(item) && Array.isArray(item["hooks"])) {
      const hooks = item["hooks"] as ReadonlyArray<Json>
      const kept = hooks.filter((h) => !isOurEntry(provider)(h))
      if (kept.length !== hooks.length) {
        if (insertAt < 0) insertAt = out.length
        if (kept.length > 0) out.push({ ...item, hooks: kept })
        continue
      }
    } else if (!nested && isOurEntry(provider)(item)) {
      if (insertAt < 0) insertAt = out.length
      continue
    }
    out.push(item)
  }
  if (ours !== undefined) out.splice(insertAt < 0 ? out.length : insertAt, 0, ours)
  return Effect.succeed(out)
}

/** A settings file holding a `hooks` object of event → list; we own our entries in each listed event. */
export const hooksFile = (options: {
  readonly path: string
  readonly role: string
  readonly allowComments: boolean
  readonly provider: HostId
  readonly nested: boolean
  readonly hooks: ReadonlyArray<HookSpec>
  /** Top-level keys set when absent (Cursor's `version: 1`). */
  readonly seed?: JsonObject
}): ManagedFile => {
  const edit = (text: string, install: boolean) =>
    Effect.gen(function* () {
      const root = yield* parseObject(docOf(options.path, text, options.allowComments))
      const hooks = getAt(root, ["hooks"])
      if (hooks !== undefined && !isObject(hooks))
        return yield* new ConfigInvalid({
          message: `${options.path}: "hooks" is not an object`,
          hint: "Fix the file, then rerun. Nothing was written."
        })
      let out = text
      if (install && options.seed !== undefined)
        for (const [k, v] of Object.entries(options.seed)) if (getAt(root, [k]) === undefined) out = setAt(out, [k], v)
      for (const spec of options.hooks) {
        const existing = getAt(root, ["hooks", spec.event])
        const merged = yield* mergeHookList(
          options.path,
          spec.event,
          existing,
          install ? spec.entry : undefined,
          options.provider,
          options.nested
        )
        if (existing === undefined && merged.length === 0) continue
        out = setAt(out, ["hooks", spec.event], merged.length === 0 ? undefined : merged)
      }
      if (!install) {
        const after = getAt(yield* parseLoose(out), ["hooks"])
        if (isObject(after) && Object.keys(after).length === 0) out = setAt(out, ["hooks"], undefined)
      }
      return out
    })
  return {
    path: options.path,
    role: options.role,
    install: (current) =>
      edit(
        Option.getOrElse(current, () => ""),
        true
      ),
    uninstall: (current) => edit(current, false),
    isEmpty: isEmptyJson(options.allowComments, Object.keys(options.seed ?? {}))
  }
}

/** A file that is wholly ours (a plugin, a rule file): written as given, removed on uninstall. */
export const ownedFile = (options: {
  readonly path: string
  readonly role: string
  readonly text: string
  readonly executable?: boolean
}): ManagedFile => ({
  path: options.path,
  role: options.role,
  ...(options.executable === true ? { executable: true } : {}),
  install: () => Effect.succeed(options.text),
  uninstall: () => Effect.succeed(""),
  isEmpty: (text) => text.trim() === ""
})

const BLOCK_START = "<!-- session-bridge:start -->"
const BLOCK_END = "<!-- session-bridge:end -->"

const stripBlock = (text: string, dropSeparator: boolean): { text: string; at: number } => {
  const start = text.indexOf(BLOCK_START)
  const end = text.indexOf(BLOCK_END)
  if (start < 0 || end < start) return { text, at: -1 }
  let stop = end + BLOCK_END.length
  if (text[stop] === "\n") stop++
  let from = start
  if (dropSeparator && from > 1 && text[from - 1] === "\n" && text[from - 2] === "\n" && stop >= text.length) from--
  return { text: text.slice(0, from) + text.slice(stop), at: from }
}

/** A Markdown file where we own one marked block (instructions a host always reads). */
export const markdownBlockFile = (options: {
  readonly path: string
  readonly role: string
  readonly body: string
}): ManagedFile => {
  const block = `${BLOCK_START}\n${options.body.trimEnd()}\n${BLOCK_END}\n`
  return {
    path: options.path,
    role: options.role,
    install: (current) =>
      Effect.sync(() => {
        const text = Option.getOrElse(current, () => "")
        const { text: rest, at } = stripBlock(text, false)
        if (at >= 0) return rest.slice(0, at) + block + rest.slice(at)
        if (rest === "") return block
        return rest + (rest.endsWith("\n") ? "\n" : "\n\n") + block
      }),
    uninstall: (current) => Effect.sync(() => stripBlock(current, true).text),
    isEmpty: (text) => text.trim() === ""
  }
}
