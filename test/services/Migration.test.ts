import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { resolveHomeAndMigrate } from "../../src/platform/Migration.js"
import { makeMemory } from "../../src/services/HostEnv.js"

const scratchHome = () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-mig-"))
  const legacy = path.join(home, ".amc-bridge")
  fs.mkdirSync(path.join(legacy, "inbox/S"), { recursive: true, mode: 0o755 })
  fs.writeFileSync(path.join(legacy, "inbox/S/m.json"), '{"legacy":true}', { mode: 0o644 })
  return { home, legacy }
}

describe("migration from ~/.amc-bridge", () => {
  it("copies the legacy home once, 0700/0600, and leaves a .migrated-to pointer", async () => {
    const { home, legacy } = scratchHome()
    const chosen = await Effect.runPromise(resolveHomeAndMigrate(makeMemory({ home })))
    const target = path.join(home, ".session-bridge")
    expect(chosen).toBe(target)
    expect(fs.readFileSync(path.join(target, "inbox/S/m.json"), "utf8")).toBe('{"legacy":true}')
    expect(fs.statSync(target).mode & 0o777).toBe(0o700)
    expect(fs.statSync(path.join(target, "inbox/S")).mode & 0o777).toBe(0o700)
    expect(fs.statSync(path.join(target, "inbox/S/m.json")).mode & 0o777).toBe(0o600)
    expect(fs.readFileSync(path.join(legacy, ".migrated-to"), "utf8").trim()).toBe(target)
    // The legacy data is untouched.
    expect(fs.readFileSync(path.join(legacy, "inbox/S/m.json"), "utf8")).toBe('{"legacy":true}')
    // Second run: nothing copied again, new state kept.
    fs.writeFileSync(path.join(target, "inbox/S/new.json"), "{}")
    await Effect.runPromise(resolveHomeAndMigrate(makeMemory({ home })))
    expect(fs.existsSync(path.join(target, "inbox/S/new.json"))).toBe(true)
  })

  it("SESSION_BRIDGE_MIGRATE=0 keeps using the legacy directory", async () => {
    const { home, legacy } = scratchHome()
    const chosen = await Effect.runPromise(
      resolveHomeAndMigrate(makeMemory({ home, env: { SESSION_BRIDGE_MIGRATE: "0" } }))
    )
    expect(chosen).toBe(legacy)
    expect(fs.existsSync(path.join(home, ".session-bridge"))).toBe(false)
  })

  it("an explicit SESSION_BRIDGE_HOME wins and migrates nothing", async () => {
    const { home } = scratchHome()
    const explicit = path.join(home, "elsewhere")
    const chosen = await Effect.runPromise(
      resolveHomeAndMigrate(makeMemory({ home, env: { SESSION_BRIDGE_HOME: explicit } }))
    )
    expect(chosen).toBe(explicit)
    expect(fs.existsSync(path.join(home, ".session-bridge"))).toBe(false)
  })
})
