import { createHash } from "node:crypto"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { ConfigInvalid } from "../domain/Errors.js"
import { codexHost } from "../hosts/codex.js"
import { hookCommand, hookEvents, isOurHookCommand, mcpCommand, SERVER_NAME } from "./Commands.js"
import { getAt, isObject, type Json, parseObject } from "./JsonEdit.js"
import { hooksFile } from "./JsonFiles.js"
import type { Finding, InstallContext, ManagedFile, PlanView, ProviderAdapter } from "./Provider.js"
import { parseToml, replaceTables, tomlKey, tomlString } from "./TomlEdit.js"
import { HostConfig } from "../services/HostConfig.js"

const snake = (event: string) => event.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase()
/** Events whose hook groups carry a matcher (and so a `matcher` in the trust hash). */
const MATCHER_EVENTS = new Set([
  "PreToolUse",
  "PostToolUse",
  "PermissionRequest",
  "PreCompact",
  "PostCompact",
  "SessionStart",
  "SessionEnd",
  "SubagentStart",
  "SubagentStop"
])

const canonical = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`
  if (isObject(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`
  return JSON.stringify(v)
}

/**
 * The `trusted_hash` Codex compares before running a non-managed hook: sha256 over the canonical JSON
 * (sorted keys, no whitespace) of the event name, the group's matcher (matcher events only) and the handler.
 */
export const codexTrustHash = (
  event: string,
  group: { readonly [k: string]: Json },
  handler: { readonly [k: string]: Json }
): string => {
  const normalized: Record<string, Json> = {
    type: "command",
    command: handler["command"] ?? "",
    timeout: Math.max(1, typeof handler["timeout"] === "number" ? handler["timeout"] : 600),
    async: handler["async"] === true
  }
  if (typeof handler["statusMessage"] === "string") normalized["statusMessage"] = handler["statusMessage"]
  const identity: Record<string, Json> = { event_name: snake(event), hooks: [normalized] }
  if (MATCHER_EVENTS.has(event) && typeof group["matcher"] === "string") identity["matcher"] = group["matcher"]
  return "sha256:" + createHash("sha256").update(canonical(identity)).digest("hex")
}

const codexHome = (ctx: InstallContext) => Option.getOrElse(ctx.getEnv("CODEX_HOME"), () => `${ctx.home}/.codex`)
const hooksPath = (ctx: InstallContext) => `${codexHome(ctx)}/hooks.json`
const configPath = (ctx: InstallContext) => `${codexHome(ctx)}/config.toml`

/** `[hooks.state]` keys and hashes for every handler of ours in a hooks.json text. */
export const ourTrustEntries = (path: string, text: string) =>
  Effect.gen(function* () {
    const root = yield* parseObject({ path, text, allowComments: false })
    const out: Array<{ key: string; hash: string }> = []
    const hooks = getAt(root, ["hooks"])
    if (!isObject(hooks)) return out
    for (const [event, groups] of Object.entries(hooks)) {
      if (!Array.isArray(groups)) continue
      ;(groups as ReadonlyArray<Json>).forEach((group, g) => {
        if (!isObject(group) || !Array.isArray(group["hooks"])) return
        ;(group["hooks"] as ReadonlyArray<Json>).forEach((handler, h) => {
          if (isObject(handler) && isOurHookCommand(handler["command"], "codex"))
            out.push({ key: `${path}:${snake(event)}:${g}:${h}`, hash: codexTrustHash(event, group, handler) })
        })
      })
    }
    return out
  })

const isServerTable = (key: ReadonlyArray<string>) =>
  key[0] === "mcp_servers" && key[1] === SERVER_NAME && (key.length === 2 || (key.length === 3 && key[2] === "env"))

const serverBlock = (ctx: InstallContext): string => {
  const { command, args } = mcpCommand(ctx)
  const env = Object.entries(ctx.bridgeEnv)
  return [
    `[mcp_servers.${SERVER_NAME}]`,
    `command = ${tomlString(command)}`,
    `args = [${args.map(tomlString).join(", ")}]`,
    ...(env.length > 0
      ? ["", `[mcp_servers.${SERVER_NAME}.env]`, ...env.map(([k, v]) => `${tomlKey(k)} = ${tomlString(v)}`)]
      : [])
  ].join("\n")
}

const trustBlock = (entries: ReadonlyArray<{ key: string; hash: string }>) =>
  entries.map((e) => `[hooks.state.${tomlString(e.key)}]\ntrusted_hash = ${tomlString(e.hash)}`).join("\n\n")

/** config.toml: our MCP server table, and a trust record for each of our hooks in hooks.json. */
const configFile = (ctx: InstallContext): ManagedFile => {
  const hooksJson = hooksPath(ctx)
  const stateKeys = (view: PlanView, which: "original" | "planned") =>
    Effect.map(
      ourTrustEntries(
        hooksJson,
        Option.getOrElse(view[which](hooksJson), () => "")
      ),
      (es) => es.map((e) => e.key)
    )
  const edit = (text: string, view: PlanView, install: boolean) =>
    Effect.gen(function* () {
      const path = configPath(ctx)
      yield* parseToml(path, text)
      const planned = install
        ? yield* ourTrustEntries(
            hooksJson,
            Option.getOrElse(view.planned(hooksJson), () => "")
          )
        : []
      const mine = new Set([...(yield* stateKeys(view, "original")), ...planned.map((e) => e.key)])
      let out = replaceTables(text, isServerTable, install ? serverBlock(ctx) : "")
      out = replaceTables(
        out,
        (k) => k.length === 3 && k[0] === "hooks" && k[1] === "state" && mine.has(k[2]!),
        trustBlock(planned)
      )
      const parsed = yield* Effect.mapError(
        parseToml(path, out),
        () =>
          new ConfigInvalid({
            message: `${path} defines mcp_servers.${SERVER_NAME} or our hooks.state entries in a form init cannot edit (inline or dotted keys)`,
            hint: `Remove those entries from ${path} by hand, then rerun.`
          })
      )
      if (install && !isObject(getAt(parsed as Json, ["mcp_servers", SERVER_NAME])))
        return yield* new ConfigInvalid({
          message: `${path}: could not place [mcp_servers.${SERVER_NAME}]`,
          hint: "Fix the file, then rerun."
        })
      return out
    })
  return {
    path: configPath(ctx),
    role: "MCP server and hook trust",
    install: (current, view) =>
      edit(
        Option.getOrElse(current, () => ""),
        view,
        true
      ),
    uninstall: (current, view) => edit(current, view, false),
    isEmpty: (text) => text.trim() === ""
  }
}

export const codex: ProviderAdapter = {
  ...codexHost,
  binary: "codex",
  scopes: ["user"],
  injection: "hooks",
  identity: "hook payload session_id (Codex gives its MCP servers no session id)",
  hostPaths: (ctx) => [codexHome(ctx)],
  files: (ctx) =>
    Effect.succeed([
      hooksFile({
        path: hooksPath(ctx),
        role: "hooks",
        allowComments: false,
        provider: "codex",
        nested: true,
        hooks: hookEvents("codex").map(({ event, timeout }) => ({
          event,
          entry: { hooks: [{ type: "command", command: hookCommand(ctx, event, "codex"), timeout }] }
        }))
      }),
      configFile(ctx)
    ]),
  notes: () => [],
  check: (ctx) =>
    Effect.gen(function* () {
      const hc = yield* HostConfig
      const hooksText = yield* hc.read(hooksPath(ctx))
      const configText = yield* hc.read(configPath(ctx))
      if (Option.isNone(hooksText) || Option.isNone(configText)) return []
      const config = (yield* parseToml(configPath(ctx), configText.value)) as Json
      const findings: Array<Finding> = []
      for (const e of yield* ourTrustEntries(hooksPath(ctx), hooksText.value)) {
        const recorded = getAt(config, ["hooks", "state", e.key, "trusted_hash"])
        findings.push(
          recorded === e.hash
            ? { level: "ok", message: `hook ${e.key.split(":").slice(-3).join(":")} is trusted` }
            : {
                level: "error",
                message: `Codex will silently skip hook ${e.key}: its trust record is ${recorded === undefined ? "missing" : "stale"}`,
                remedy:
                  "Run `session-bridge init --provider codex` again (it rewrites the trust records), or trust the hook in Codex's /hooks view."
              }
        )
      }
      return findings
    })
}
