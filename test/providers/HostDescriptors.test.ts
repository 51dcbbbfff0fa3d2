import { assert, describe, it } from "@effect/vitest"
import { Effect, Either, Option } from "effect"
import * as fs from "node:fs"
import * as path from "node:path"
import { findHost, hosts } from "../../src/hook/hosts/index.js"
import { HOST_IDS, HOSTS, lookupHost, runsInside } from "../../src/hosts/index.js"
import { detectProvider } from "../../src/mcp/ClientInfo.js"
import { findProvider, PROVIDERS } from "../../src/providers/Registry.js"
import { makeMemory } from "../../src/services/HostEnv.js"

const SRC = path.join(import.meta.dirname, "../../src")

/** The per-host files of a folder: lower-case kebab names (shared modules there are capitalised or `index`). */
const hostFiles = (dir: string): Array<string> =>
  fs
    .readdirSync(path.join(SRC, dir))
    .filter((f) => /^[a-z][a-z0-9-]*\.ts$/.test(f) && f !== "index.ts")
    .map((f) => f.slice(0, -3))
    .sort()

const provider = (name: string) => Effect.runSync(Effect.either(findProvider(name)))
const mcpProvider = (name: string) =>
  detectProvider(
    Option.some({ name: "some-ide", version: "1" }),
    makeMemory({ env: { SESSION_BRIDGE_PROVIDER: name } })
  )

/** Every spelling `--provider` should accept for a host: id, aliases, and shouted / padded variants. */
const spellings = (h: (typeof HOSTS)[number]) => [h.id, ...h.aliases].flatMap((n) => [n, n.toUpperCase(), ` ${n} `])

describe("host descriptors", () => {
  it("every descriptor has one install adapter and one hook wire file, and no file is left without one", () => {
    const ids = [...HOST_IDS].sort()
    assert.deepStrictEqual(hostFiles("hosts"), ids)
    assert.deepStrictEqual(hostFiles("providers"), ids)
    assert.deepStrictEqual(hostFiles("hook/hosts"), ids)
    assert.deepStrictEqual(
      PROVIDERS.map((p) => p.id),
      [...HOST_IDS]
    )
    assert.deepStrictEqual(
      hosts.map((h) => h.id),
      [...HOST_IDS]
    )
  })

  it("the registries hold the adapter each host's own file exports, named and tiered by its descriptor", async () => {
    for (const [i, h] of HOSTS.entries()) {
      const install = Object.values(await import(`../../src/providers/${h.id}.ts`))
      const wire = Object.values(await import(`../../src/hook/hosts/${h.id}.ts`))
      assert.include(install, PROVIDERS[i], `src/providers/${h.id}.ts`)
      assert.include(wire, hosts[i], `src/hook/hosts/${h.id}.ts`)
      assert.strictEqual(PROVIDERS[i]!.name, h.name)
      assert.strictEqual(PROVIDERS[i]!.tier, h.tier)
      assert.deepStrictEqual(PROVIDERS[i]!.envMarkers, h.envMarkers)
    }
  })

  it("ids, aliases and MCP client names are unique across hosts; ids and aliases are lower case", () => {
    const names = HOSTS.flatMap((h) => [h.id, ...h.aliases])
    assert.strictEqual(new Set(names).size, names.length, names.join(", "))
    for (const n of names) assert.strictEqual(n, n.trim().toLowerCase())
    const clients = HOSTS.flatMap((h) => h.clientNames)
    assert.strictEqual(new Set(clients).size, clients.length, clients.join(", "))
  })

  it("the hook, the installer and the MCP server resolve every id and alias to the same host", () => {
    for (const h of HOSTS)
      for (const name of spellings(h)) {
        assert.strictEqual(findHost(name)?.id, h.id, `hook --provider ${JSON.stringify(name)}`)
        const installed = provider(name)
        assert.isTrue(Either.isRight(installed) && installed.right.id === h.id, `init --provider ${name}`)
        assert.strictEqual(mcpProvider(name), h.id, `SESSION_BRIDGE_PROVIDER=${JSON.stringify(name)}`)
      }
  })

  it("all three refuse the same names", () => {
    for (const name of ["vim", "__proto__", "toString", "cli", "unknown", "", "claude code"]) {
      assert.isUndefined(findHost(name), name)
      assert.isUndefined(lookupHost(name), name)
      const installed = provider(name)
      assert.isTrue(Either.isLeft(installed) && installed.left.code === "PROVIDER_UNKNOWN", name)
      assert.strictEqual(mcpProvider(name), "unknown", name)
    }
  })

  it("each MCP client name is its host's, and the hook knows that host", () => {
    for (const h of HOSTS)
      for (const client of h.clientNames) {
        assert.strictEqual(detectProvider(Option.some({ name: client, version: "1" }), makeMemory()), h.id)
        assert.strictEqual(findHost(h.id)?.id, h.id)
      }
  })

  it("each env marker alone makes the MCP server and init detect that host, and only that host", () => {
    for (const h of HOSTS)
      for (const marker of h.envMarkers) {
        const value = marker.equals ?? (marker.prefix === undefined ? "x" : `${marker.prefix}_1-2-3`)
        const env = makeMemory({ env: { [marker.name]: value } })
        assert.strictEqual(detectProvider(Option.none(), env), h.id, marker.name)
        assert.deepStrictEqual(
          PROVIDERS.filter((p) => runsInside(p, env.get)).map((p) => p.id),
          [h.id],
          marker.name
        )
      }
  })

  it("descriptors import nothing heavy: the hook bundle loads them on every run", () => {
    for (const file of fs.readdirSync(path.join(SRC, "hosts"))) {
      const text = fs.readFileSync(path.join(SRC, "hosts", file), "utf8")
      for (const m of text.matchAll(/from "([^"]+)"/g))
        assert.match(m[1]!, /^(\.\/[A-Za-z-]+\.js|effect\/Option)$/, file)
    }
  })
})
