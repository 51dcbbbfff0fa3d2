import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as NodeHostConfig from "../../src/platform/NodeHostConfig.js"
import { HostConfig } from "../../src/services/HostConfig.js"

const withUmask = <A, E, R>(mask: number, effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => process.umask(mask)),
    () => effect,
    (previous) => Effect.sync(() => process.umask(previous))
  )

describe("host config files on the real file system", () => {
  it.effect("a write replaces the file whole through a temp file: mode kept or set exactly, nothing left over", () =>
    Effect.gen(function* () {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-hostconfig-"))
      const kept = path.join(dir, "settings.json")
      fs.writeFileSync(kept, "{}\n", { mode: 0o600 })
      const script = path.join(dir, "hooks", "run.sh")
      const config = yield* HostConfig
      yield* withUmask(0o077, config.write(kept, '{ "a": 1 }\n'))
      yield* withUmask(0o077, config.write(script, "#!/bin/sh\n", { executable: true }))
      assert.strictEqual(fs.readFileSync(kept, "utf8"), '{ "a": 1 }\n')
      assert.strictEqual(fs.statSync(kept).mode & 0o777, 0o600)
      assert.strictEqual(fs.statSync(script).mode & 0o777, 0o755)
      assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["hooks", "settings.json"])
      assert.deepStrictEqual(fs.readdirSync(path.join(dir, "hooks")), ["run.sh"])
      fs.rmSync(dir, { recursive: true, force: true })
    }).pipe(Effect.provide(NodeHostConfig.layer))
  )
})
