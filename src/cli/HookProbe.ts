import * as PlatformCommand from "@effect/platform/Command"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Path from "@effect/platform/Path"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { hookRegistrations } from "../hook/hosts/index.js"
import { isOurHookCommand } from "../providers/Commands.js"
import type { Finding, InstallContext, ProviderAdapter } from "../providers/Provider.js"
import { HostConfig } from "../services/HostConfig.js"

/** The prompt-time hook as a host config holds it: the argv and the variables it sets, and where it was found. */
export interface Invocation {
  readonly argv: ReadonlyArray<string>
  readonly env: Readonly<Record<string, string>>
  readonly file: string
}

/** Splits a POSIX shell command line as `init` writes it: plain words, '…' quoting, backslash escapes. */
export const shellWords = (line: string): Array<string> => {
  const words: Array<string> = []
  let word: string | undefined
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (c === "'") {
      const end = line.indexOf("'", i + 1)
      word = (word ?? "") + line.slice(i + 1, end === -1 ? line.length : end)
      i = end === -1 ? line.length : end
    } else if (c === "\\" && i + 1 < line.length) word = (word ?? "") + line[++i]
    else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word)
      word = undefined
    } else word = (word ?? "") + c
  }
  if (word !== undefined) words.push(word)
  return words
}

const parseJson = Option.liftThrowable((text: string): unknown => JSON.parse(text))

/** `NAME=value … argv…` split into the variables set in front and the argv. */
const fromCommandLine = (line: string, file: string): Invocation => {
  const words = shellWords(line)
  const env: Record<string, string> = {}
  while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) {
    const w = words.shift()!
    env[w.slice(0, w.indexOf("="))] = w.slice(w.indexOf("=") + 1)
  }
  return { argv: words, env, file }
}

/** The NODE / ENTRY / ENV constants of a plugin that `init` wrote (opencode, Cline). */
const fromPlugin = (text: string, file: string, provider: string, hostEvent: string): Option.Option<Invocation> => {
  const constant = (name: string) =>
    Option.fromNullable(new RegExp(`^const ${name} = (.*)$`, "m").exec(text)?.[1]).pipe(Option.flatMap(parseJson))
  const node = constant("NODE").pipe(Option.filter((v): v is string => typeof v === "string"))
  const entry = constant("ENTRY").pipe(Option.filter((v): v is string => typeof v === "string"))
  const env = constant("ENV").pipe(
    Option.filter((v): v is Record<string, string> => typeof v === "object" && v !== null),
    Option.getOrElse(() => ({}))
  )
  return Option.all([node, entry]).pipe(
    Option.map(([n, e]) => ({ argv: [n, e, "hook", hostEvent, "--provider", provider], env, file }))
  )
}

/** The host event `init` registers for prompt submit (where unread messages reach the model). */
export const promptEvent = (provider: string): Option.Option<string> =>
  Option.fromNullable(hookRegistrations(provider).find((r) => r.event === "prompt")?.hostEvent)

/** Finds the prompt hook in the host's files as they are on disk now; None when the host has none there. */
export const installedInvocation = (adapter: ProviderAdapter, ctx: InstallContext) =>
  Effect.gen(function* () {
    const hc = yield* HostConfig
    const event = promptEvent(adapter.id)
    if (Option.isNone(event)) return Option.none<Invocation>()
    for (const f of yield* adapter.files(ctx)) {
      const text = yield* Effect.orElseSucceed(hc.read(f.path), () => Option.none<string>())
      if (Option.isNone(text)) continue
      if (text.value.includes("\nconst NODE = ")) {
        const found = fromPlugin(text.value, f.path, adapter.id, event.value)
        if (Option.isSome(found)) return found
        continue
      }
      for (const literal of text.value.match(/"(?:[^"\\\n]|\\.)*"/g) ?? []) {
        const s = parseJson(literal)
        if (
          Option.isSome(s) &&
          isOurHookCommand(s.value, adapter.id) &&
          (s.value as string).includes(` hook ${event.value} `)
        )
          return Option.some(fromCommandLine(s.value as string, f.path))
      }
    }
    return Option.none<Invocation>()
  })

const DOCTOR_HOST_SESSION = "00000000-0000-4000-8000-00000000d0c7"

/** One payload every host's decoder accepts: each host reads its own keys and ignores the rest. */
const payload = (hostEvent: string, cwd: string) =>
  JSON.stringify({
    hook_event_name: hostEvent,
    session_id: DOCTOR_HOST_SESSION,
    sessionID: DOCTOR_HOST_SESSION,
    conversation_id: DOCTOR_HOST_SESSION,
    cwd,
    prompt: "session-bridge doctor"
  })

interface Ran {
  readonly code: number
  readonly stderr: string
  readonly ms: number
}

const run = (inv: Invocation, scratch: string, cwd: string) =>
  Effect.gen(function* () {
    const started = yield* Effect.clockWith((c) => c.currentTimeMillis)
    const [cmd, ...args] = inv.argv
    const command = PlatformCommand.make(cmd ?? "", ...args).pipe(
      PlatformCommand.env({ ...inv.env, SESSION_BRIDGE_HOME: scratch, SESSION_BRIDGE_DEBUG: "1" }),
      PlatformCommand.feed(payload(inv.argv[3] ?? "", cwd))
    )
    const { code, stderr } = yield* Effect.scoped(
      Effect.gen(function* () {
        const proc = yield* PlatformCommand.start(command)
        const [stderr, , code] = yield* Effect.all(
          [Stream.mkString(Stream.decodeText(proc.stderr)), Stream.runDrain(proc.stdout), proc.exitCode],
          { concurrency: 3 }
        )
        return { code: Number(code), stderr }
      })
    ).pipe(Effect.timeout(Duration.seconds(15)))
    const ms = (yield* Effect.clockWith((c) => c.currentTimeMillis)) - started
    return { code, stderr, ms } satisfies Ran
  })

/** The labels of the sessions the hook registered for `provider` in the scratch home. */
const registeredLabels = (scratch: string, provider: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const dir = path.join(scratch, "sessions")
    const names = yield* Effect.orElseSucceed(fs.readDirectory(dir), () => [])
    const labels: Array<string> = []
    for (const name of names) {
      const text = yield* Effect.orElseSucceed(fs.readFileString(path.join(dir, name)), () => "")
      const record = parseJson(text).pipe(Option.getOrUndefined) as
        { readonly provider?: unknown; readonly label?: unknown } | undefined
      if (record?.provider === provider && typeof record.label === "string") labels.push(record.label)
    }
    return labels
  })

const lastLine = (text: string) =>
  text
    .trim()
    .split("\n")
    .filter((l) => l.trim() !== "")
    .pop() ?? ""

/**
 * Runs the prompt hook exactly as the host would (the argv and variables its config holds) on a scratch home,
 * and checks that it finished and registered the session under the label the config passes.
 */
export const probeHook = (adapter: ProviderAdapter, inv: Invocation, scratch: string, cwd: string, reinit: string) =>
  Effect.gen(function* () {
    const ran = yield* Effect.either(run(inv, scratch, cwd))
    const broken = (message: string, remedy: string): Array<Finding> => [{ level: "error", message, remedy }]
    const moved = `Rerun \`${reinit}\` so the host runs this install (was session-bridge moved or removed?).`
    if (ran._tag === "Left")
      return broken(`the hook in ${inv.file} could not run \`${inv.argv[0]}\`: ${String(ran.left)}`, moved)
    const note =
      ran.right.code === 0
        ? lastLine(ran.right.stderr)
        : (ran.right.stderr
            .split("\n")
            .find((l) => /Error|Cannot find/.test(l))
            ?.trim() ?? lastLine(ran.right.stderr))
    if (ran.right.code !== 0 || !/^session-bridge hook: .* (done|ran out; work interrupted) \(/.test(note))
      return broken(
        `the hook in ${inv.file} failed (exit ${ran.right.code}): ${note === "" ? "no output" : note}`,
        ran.right.code !== 0 ? moved : `Run it by hand with SESSION_BRIDGE_DEBUG=1 to see why, then \`${reinit}\`.`
      )
    if (/budget of \d+ ms ran out/.test(note))
      return [
        {
          level: "warn",
          message: `the hook in ${inv.file} ran out of its time budget (${note}); the machine may be busy`,
          remedy: "Rerun doctor when the machine is idle; if it persists, see docs/troubleshooting.md (slow hook)."
        }
      ] satisfies Array<Finding>
    const label = inv.env["SESSION_BRIDGE_LABEL"]
    if (label !== undefined) {
      const labels = yield* registeredLabels(scratch, adapter.id)
      if (!labels.includes(label))
        return broken(
          `the hook ignores the label ${JSON.stringify(label)} passed in ${inv.file}: sessions get ${labels.map((l) => JSON.stringify(l)).join(", ") || "no label"}`,
          `Run \`${reinit} --label <name>\` with a plain name (letters, digits, . _ -).`
        )
    }
    return [
      { level: "ok", message: `hook round trip with the installed command in ${ran.right.ms} ms` }
    ] satisfies Array<Finding>
  })
