import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer, Option } from "effect"
import * as NodeHostConfig from "../../src/platform/NodeHostConfig.js"
import { applyInstall, applyUninstall, makeContext, planInstall, planUninstall } from "../../src/providers/Installer.js"
import type { ProviderAdapter, Scope } from "../../src/providers/Provider.js"
import { HostConfig } from "../../src/services/HostConfig.js"
import * as HostConfigMem from "../../src/services/HostConfig.js"
import { memoryInfra } from "../support/layers.js"

export const HOME = "/home/tester"
export const PROJECT = "/work/project"

export const contextOptions = (scope: Scope = "user", label?: string) => ({
  scope,
  projectDir: Option.none<string>(),
  label: Option.fromNullable(label)
})

export const install = (adapter: ProviderAdapter, scope: Scope = "user", label?: string) =>
  Effect.gen(function* () {
    const ctx = yield* makeContext(adapter, contextOptions(scope, label))
    const plan = yield* planInstall(adapter, ctx)
    yield* applyInstall(plan)
    return plan
  })

export const uninstall = (adapter: ProviderAdapter, scope: Scope = "user") =>
  Effect.gen(function* () {
    const ctx = yield* makeContext(adapter, contextOptions(scope))
    const plan = yield* planUninstall(adapter, ctx)
    yield* applyUninstall(plan)
    return plan
  })

/** Memory host files + memory store, home /home/tester, cwd /work/project. */
export const memoryLayer = (seed: HostConfigMem.MemorySeed = {}, env: Record<string, string> = {}) =>
  Layer.mergeAll(HostConfigMem.layerMemory(seed), memoryInfra({ home: HOME, cwd: PROJECT, env }))

/** A temp dir standing in for `/` : paths under HOME and PROJECT map into it. */
export const tempRoot = () => fs.mkdtempSync(path.join(os.tmpdir(), "sb-providers-"))

/** Real host files under `root` (HOME = root/home, PROJECT = root/project) + memory store. */
export const fsLayer = (root: string, env: Record<string, string> = {}) =>
  Layer.mergeAll(NodeHostConfig.layer, memoryInfra({ home: `${root}/home`, cwd: `${root}/project`, env }))

/** Every regular file under `dir`, relative path → text. */
export const snapshotDir = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (d: string) => {
    if (!fs.existsSync(d)) return
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      if (e.isDirectory()) walk(p)
      else if (e.isFile()) out[path.relative(dir, p)] = fs.readFileSync(p, "utf8")
    }
  }
  walk(dir)
  return out
}

export const snapshotMemory = Effect.flatMap(HostConfigMem.MemoryHostConfig, (m) => m.snapshot)
export const readHost = (p: string) => Effect.flatMap(HostConfig, (hc) => hc.read(p))
