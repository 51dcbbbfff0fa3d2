import * as Command from "@effect/cli/Command"
import * as FileSystem from "@effect/platform/FileSystem"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { Housekeeping } from "../bridge/Housekeeping.js"
import { checkLabel } from "../domain/Names.js"
import { PROVIDERS } from "../providers/Registry.js"
import { hostFound, installedContexts } from "../providers/Selection.js"
import { hostVersion, installStatus } from "../providers/Status.js"
import { HostConfig } from "../services/HostConfig.js"
import { HostEnv } from "../services/HostEnv.js"
import { cliHint } from "./CliHints.js"
import { Store } from "../services/store/Store.js"
import { listed } from "./Help.js"
import { jsonOption, printJson, printText, tildify } from "./Output.js"
import { installedInvocation, probeHook } from "./HookProbe.js"
import { progress } from "./Progress.js"
import { type Check, check, mcpCheck, ownHookCheck } from "./RoundTrips.js"
import { setExitCode } from "./Runtime.js"
import { storeGrowthCheck } from "./StoreGrowth.js"

const octal = (mode: number) => mode.toString(8).padStart(3, "0")

/**
 * Sets every directory of the home to 0700 and every file to 0600, one check per change (path, old → new mode);
 * a home that is not this user's is reported, not touched.
 */
const repairChecks = Effect.gen(function* () {
  const housekeeping = yield* Housekeeping
  const repaired = yield* Effect.either(housekeeping.repairModes)
  if (repaired._tag === "Left") {
    const e = repaired.left
    return [check("home", { level: "error", message: `${e.code}: ${e.message}`, remedy: cliHint(e) })]
  }
  return repaired.right.map((r) =>
    check("modes", {
      level: "ok",
      message: `repaired ${r.path === "" ? housekeeping.home : r.path}: ${octal(r.from)} → ${octal(r.to)}`
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

/**
 * Each host: found or not, our entries in place or not, its own checks, and a real run of the hook its config
 * holds (on `scratch`). `installed` counts the contexts whose config carries our entries, current or not.
 */
const providerChecks = (scratch: string, oneHookAtATime: Effect.Semaphore) =>
  Effect.forEach(
    PROVIDERS,
    (adapter) =>
      Effect.gen(function* () {
        const env = yield* HostEnv
        const area = adapter.id
        const out: Array<Check> = []
        let installed = 0
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
          if (status.state === "installed" || status.state === "stale") {
            installed++
            const inv = yield* Effect.orElseSucceed(installedInvocation(adapter, ctx), () => Option.none())
            if (Option.isSome(inv)) {
              const dir = `${scratch}/${adapter.id}-${installed}`
              // One at a time: hooks run at once on a small machine would overrun their budget, which hosts never see.
              const found = yield* oneHookAtATime.withPermits(1)(probeHook(adapter, inv.value, dir, env.cwd, initCmd))
              out.push(...found.map((f) => check(area, f)))
            }
          }
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
        return { out, installed }
      }),
    { concurrency: "unbounded" }
  ).pipe(Effect.map((xs) => ({ checks: xs.flatMap((x) => x.out), installed: xs.reduce((n, x) => n + x.installed, 0) })))

const NOTHING_SET_UP = check("setup", {
  level: "error",
  message: "no host CLI is set up: session-bridge is not installed in any of them",
  remedy:
    "Run `session-bridge init` (it finds the CLIs on this machine) or `session-bridge init --provider <id>`; `session-bridge list-providers` shows them."
})

const allChecks = Effect.scoped(
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const scratch = yield* fs.makeTempDirectoryScoped({ prefix: "session-bridge-doctor-" })
    yield* progress("checking the home")
    const home = yield* homeChecks
    const growth = (yield* (yield* HostConfig).info((yield* Store).root)).isDirectory ? [yield* storeGrowthCheck] : []
    yield* progress(`checking ${PROVIDERS.length} host CLIs and running each installed hook`)
    const hosts = yield* providerChecks(scratch, yield* Effect.makeSemaphore(1))
    yield* progress("starting the MCP server")
    const mcp = yield* mcpCheck(`${scratch}/mcp`)
    const own = hosts.installed === 0 ? [yield* ownHookCheck(`${scratch}/hook`)] : []
    return [...home, ...growth, ...hosts.checks, mcp, ...own, ...(hosts.installed === 0 ? [NOTHING_SET_UP] : [])]
  })
)

const doctorCommand = Command.make("doctor", { json: jsonOption }, ({ json }) =>
  Effect.gen(function* () {
    const checks = yield* allChecks
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
