import { assert, beforeAll, describe, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import { BIN, ensureBuilt } from "../support/build.js"
import { tempHome } from "../support/mcpClient.js"

const run = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, ...args], { env, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr })
    )
  })

describe("session-bridge demo", () => {
  beforeAll(async () => {
    await ensureBuilt()
  }, 180_000)

  it("runs two real sessions end to end, exits 0 and removes its temporary home", async () => {
    const tmp = tempHome("sb-demo-test-")
    const r = await run(["demo"], { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: tmp, TMPDIR: tmp })
    assert.strictEqual(r.code, 0, r.stdout + r.stderr)
    for (const step of [
      "bridge_whoami",
      "bridge_post_artifact",
      "bridge_wait_for_message",
      "sha256 recomputed and verified",
      "2 messages, oldest first",
      "Demo complete"
    ]) {
      assert.include(r.stdout, step)
    }
    const home = /Temporary home: (\S+)/.exec(r.stdout)?.[1]
    assert.isString(home)
    assert.isTrue(home!.startsWith(tmp), "the demo home is under the temp dir")
    assert.isFalse(fs.existsSync(home!), "removed without --keep")
    assert.isFalse(fs.existsSync(`${tmp}/.session-bridge`), "the real home is never touched")
    fs.rmSync(tmp, { recursive: true, force: true })
  })

  it("keeps the home with --keep", async () => {
    const tmp = tempHome("sb-demo-test-")
    const r = await run(["demo", "--keep"], { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: tmp, TMPDIR: tmp })
    assert.strictEqual(r.code, 0, r.stdout + r.stderr)
    const home = /Temporary home: (\S+)/.exec(r.stdout)?.[1]
    assert.isTrue(fs.existsSync(`${home}/sessions`))
    fs.rmSync(tmp, { recursive: true, force: true })
  })
})
