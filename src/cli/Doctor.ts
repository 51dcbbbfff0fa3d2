import * as Command from "@effect/cli/Command"
import * as PlatformCommand from "@effect/platform/Command"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { checkLabel } from "../domain/Names.js"
import type { Finding } from "../providers/Provider.js"
import { PROVIDERS } from "../providers/Registry.js"
import { hostFound, installedContexts } from "../providers/Selection.js"
import { hostVersion, installStatus } from "../providers/Status.js"
import { HostConfig } from "../services/HostConfig.js"
import { HostEnv } from "../services/HostEnv.js"
import { toBridgeError } from "../domain/Errors.js"
import { Store } from "../services/Store.js"
import { listed } from "./Help.js"
import { jsonOption, printJson, printText, tildify } from "./Output.js"
import { setExitCode } from "./Runtime.js"

interface Check extends Finding {
  readonly area: string
}

const check = (area: string, f: Finding): Check => ({ area, ...f })

const octal = (mode: number) => mode.toString(8).padStart(3, "0")

/**
 * Sets every directory of the home to 0700 and every file to 0600, one check per change (path, old → new mode);
 * a home that is not this user's is reported, not touched.
 */
const repairChecks = Effect.gen(function* () {
  const store = yield* Store
  const repaired = yield* Effect.either(store.repairModes)
  if (repaired._tag === "Left") {
    const e = toBridgeError(repaired.left)
    return [check("home", { level: "error", message: `${e.code}: ${e.message}`, remedy: e.hint ?? "" })]
  }
  return repaired.right.map((r) =>
    check("modes", {
      level: "ok",
      message: `repaired ${r.path === "" ? store.root : r.path}: ${octal(r.from)} → ${octal(r.to)}`
    })
  )
})

const homeChecks = Effect.gen(function* () {
  const store = yield* Store
  const hc = yield* HostConfig
  const env = yield* HostEnv
  const out: Array<Check> = []
  if ((yield* hc.info(store.root)).isDirectory) out.push(...(yield* repairChecks))
  const home = yield* hc.info(store.root)
  if (!home.exists)
    out.push(check("home", { level: "ok", message: `${store.root} does not exist yet; it is created on first use` }))
  else if (!home.isDirectory)
    out.push(
      check("home", {
        level: "error",
        message: `${store.root} is not a directory`,
        remedy: "Move it aside or set SESSION_BRIDGE_HOME."
      })
    )
  else if ((home.mode & 0o077) !== 0)
    out.push(
      check("home", {
        level: "warn",
        message: `${store.root} is mode ${home.mode.toString(8)}, looser than 700`,
        remedy: `chmod 700 ${store.root} (every command also tightens it)`
      })
    )
  else if (!home.writable)
    out.push(
      check("home", { level: "error", message: `${store.root} is not writable`, remedy: `chmod u+w ${store.root}` })
    )
  else out.push(check("home", { level: "ok", message: `${store.root} (mode 700)` }))
  for (const [what, path] of [
    ["node", env.execPath],
    ["entry", env.entryPath]
  ] as const) {
    const i = yield* hc.info(path)
    out.push(
      i.exists
        ? check("runtime", { level: "ok", message: `${what} ${path}` })
        : check("runtime", {
            level: "error",
            message: `${what} ${path} does not exist`,
            remedy: "Reinstall session-bridge, then rerun init."
          })
    )
  }
  return out
})

/** Why a label baked into a host config is refused, or undefined when there is none or it is fine. */
const labelProblem = (label: string | undefined): string | undefined =>
  label === undefined
    ? undefined
    : Either.getLeft(checkLabel(label, "SESSION_BRIDGE_LABEL")).pipe(Option.getOrUndefined)

const providerChecks = Effect.forEach(
  PROVIDERS,
  (adapter) =>
    Effect.gen(function* () {
      const env = yield* HostEnv
      const area = adapter.id
      const out: Array<Check> = []
      const contexts = yield* installedContexts(adapter, Option.none())
      const version = yield* hostVersion(adapter)
      const found = (yield* hostFound(adapter, contexts[0]!)) || Option.isSome(version)
      out.push(
        check(area, {
          level: "ok",
          message: `host ${found ? "found" : "not found"}${Option.isSome(version) ? `, version ${version.value}` : ""}`
        })
      )
      for (const ctx of contexts) {
        const status = yield* installStatus(adapter, ctx)
        const badLabel = labelProblem(ctx.bridgeEnv["SESSION_BRIDGE_LABEL"])
        if (badLabel !== undefined)
          out.push(
            check(area, {
              level: "error",
              message: `the host config passes an invalid label: ${badLabel}`,
              remedy: `Run \`session-bridge init --provider ${adapter.id} --label <name>\` with a plain name.`
            })
          )
        const where = ctx.scope === "project" ? ` (project ${tildify(ctx.projectDir, env.home)})` : ""
        const initCmd = `session-bridge init --provider ${adapter.id}${ctx.scope === "project" ? ` --project ${ctx.projectDir}` : ""}`
        if (status.state === "installed") {
          out.push(
            check(area, {
              level: "ok",
              message: `session-bridge installed${where}, entries point at this node and entry`
            })
          )
          if (adapter.check !== undefined)
            out.push(...(yield* Effect.orElseSucceed(adapter.check(ctx), () => [])).map((f) => check(area, f)))
        } else if (status.state === "stale")
          out.push(
            check(area, {
              level: "error",
              message: `entries missing or out of date${where}: ${status.pending.map((p) => tildify(p, env.home)).join(", ")}`,
              remedy: `Run \`${initCmd}\`.`
            })
          )
        else if (status.state === "config-error")
          out.push(
            check(area, {
              level: "error",
              message: status.error ?? "config error",
              remedy: "Fix the file named above, then rerun init."
            })
          )
        else
          out.push(
            check(area, {
              level: "ok",
              message: `session-bridge not installed${where}${found ? `; \`${initCmd}\` adds it` : ""}`
            })
          )
      }
      return out
    }),
  { concurrency: "unbounded" }
).pipe(Effect.map((xs) => xs.flat()))

/** Spawns our own MCP server on a scratch home and lists its tools through the MCP SDK client. */
const mcpRoundTrip = (scratch: string) =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    const started = yield* Effect.clockWith((c) => c.currentTimeMillis)
    const tools = yield* Effect.acquireUseRelease(
      Effect.tryPromise(async () => {
        const { Client } = await import("@modelcontextprotocol/sdk/client/index.js")
        const { StdioClientTransport, getDefaultEnvironment } =
          await import("@modelcontextprotocol/sdk/client/stdio.js")
        const client = new Client({ name: "session-bridge-doctor", version: "1" })
        const transport = new StdioClientTransport({
          command: env.execPath,
          args: [env.entryPath, "mcp"],
          env: { ...getDefaultEnvironment(), SESSION_BRIDGE_HOME: scratch },
          stderr: "ignore"
        })
        await client.connect(transport)
        return client
      }),
      (client) => Effect.tryPromise(() => client.listTools()),
      (client) => Effect.promise(() => client.close().catch(() => undefined))
    ).pipe(Effect.timeout(Duration.seconds(20)))
    const ms = (yield* Effect.clockWith((c) => c.currentTimeMillis)) - started
    return { tools: tools.tools.map((t) => t.name), ms }
  })

const SAMPLE_PROMPT = JSON.stringify({
  session_id: "00000000-0000-4000-8000-00000000d0c7",
  cwd: "/",
  hook_event_name: "UserPromptSubmit",
  prompt: "session-bridge doctor"
})

/** Runs the Claude Code prompt hook once on a scratch home, as the host would. */
const hookRoundTrip = (scratch: string) =>
  Effect.gen(function* () {
    const env = yield* HostEnv
    const started = yield* Effect.clockWith((c) => c.currentTimeMillis)
    const cmd = PlatformCommand.make(
      env.execPath,
      env.entryPath,
      "hook",
      "UserPromptSubmit",
      "--provider",
      "claude-code"
    ).pipe(PlatformCommand.env({ SESSION_BRIDGE_HOME: scratch }), PlatformCommand.feed(SAMPLE_PROMPT))
    const { code, stdout } = yield* Effect.scoped(
      Effect.gen(function* () {
        const proc = yield* PlatformCommand.start(cmd)
        const [stdout, code] = yield* Effect.all([Stream.mkString(Stream.decodeText(proc.stdout)), proc.exitCode], {
          concurrency: 2
        })
        return { code, stdout }
      })
    ).pipe(Effect.timeout(Duration.seconds(15)))
    const ms = (yield* Effect.clockWith((c) => c.currentTimeMillis)) - started
    const text = stdout.trim()
    const parsed = text === "" || Option.isSome(Option.liftThrowable(JSON.parse)(text))
    return { code, ms, parsed }
  })

const roundTrips = Effect.scoped(
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const scratch = yield* fs.makeTempDirectoryScoped({ prefix: "session-bridge-doctor-" })
    const out: Array<Check> = []
    const mcp = yield* Effect.either(mcpRoundTrip(scratch))
    out.push(
      mcp._tag === "Right" && mcp.right.tools.length > 0
        ? check("mcp", {
            level: "ok",
            message: `server answered in ${mcp.right.ms} ms with ${mcp.right.tools.length} tools`
          })
        : check("mcp", {
            level: "error",
            message: `the MCP server did not answer tools/list: ${mcp._tag === "Left" ? String(mcp.left) : "no tools"}`,
            remedy: "Run `session-bridge mcp` by hand to see its error; reinstall if dist/ is missing."
          })
    )
    const hook = yield* Effect.either(hookRoundTrip(scratch))
    out.push(
      hook._tag === "Right" && hook.right.code === 0 && hook.right.parsed
        ? check("hook", { level: "ok", message: `UserPromptSubmit round trip in ${hook.right.ms} ms, exit 0` })
        : check("hook", {
            level: "error",
            message: `the hook round trip failed: ${hook._tag === "Left" ? String(hook.left) : `exit ${hook.right.code}${hook.right.parsed ? "" : ", stdout not JSON"}`}`,
            remedy:
              "Run `echo '{}' | session-bridge hook UserPromptSubmit --provider claude-code --verbose` to see why."
          })
    )
    return out
  })
)

const doctorCommand = Command.make("doctor", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const checks = [...(yield* homeChecks), ...(yield* providerChecks), ...(yield* roundTrips)]
    const broken = checks.filter((c) => c.level === "error")
    if (json) yield* printJson({ ok: broken.length === 0, checks })
    else {
      for (const c of checks) {
        yield* printText(
          `${c.level === "ok" ? "ok  " : c.level === "warn" ? "warn" : "FAIL"}  ${c.area.padEnd(12)} ${c.message}`
        )
        if (c.remedy !== undefined) yield* printText(`      ${"".padEnd(12)} → ${c.remedy}`)
      }
      yield* printText(
        broken.length === 0 ? "No problems found." : `${broken.length} problem${broken.length === 1 ? "" : "s"} found.`
      )
    }
    if (broken.length > 0) yield* setExitCode(1)
  })
)

export const doctorCommands = [
  listed(
    "providers",
    "Check the home, each host's install and trust, the MCP server and a hook round trip",
    doctorCommand
  )
] as const
