import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { BridgeLayer as BridgeServices } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { Sessions } from "../../src/bridge/Sessions.js"
import { Layout } from "../../src/domain/Layout.js"
import { SessionId } from "../../src/domain/Ulid.js"
import { Schema } from "effect"
import { layerFileSystem } from "../../src/platform/store/FileSystemStore.js"
import * as FileLock from "../../src/services/FileLock.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import { ensureBuilt, LAUNCHER } from "../support/build.js"

const BridgeLayer = BridgeServices.pipe(Layer.provideMerge(RemoteSendsLayer.layer))

beforeAll(async () => {
  await ensureBuilt()
}, 180_000)

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `session-bridge <args>` with `stdin` written and closed, in `cwd`, with `env` over a bare environment. */
const run = (cwd: string, args: ReadonlyArray<string>, stdin: string, env: Record<string, string>) =>
  new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, ...args], {
      cwd,
      env: { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: cwd, SESSION_BRIDGE_HOOK_BUDGET_MS: "15000", ...env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c) => (stdout += c))
    child.stderr.on("data", (c) => (stderr += c))
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(stdin)
  })

const payload = (cwd: string, event: string) => JSON.stringify({ session_id: "held-1", cwd, hook_event_name: event })

describe("hook and CLI processes on a home that cannot be used as is", () => {
  it("a relative SESSION_BRIDGE_HOME: the hook prints the empty reply and exits 0, the CLI fails with HOME_INVALID; nothing is created", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-rel-home-"))
    const env = { SESSION_BRIDGE_HOME: "relative-home" }
    const hook = await run(dir, ["hook", "UserPromptSubmit", "--provider", "claude-code"], payload(dir, "x"), env)
    assert.deepStrictEqual([hook.code, hook.stdout], [0, ""])
    const cli = await run(dir, ["list-sessions"], "", env)
    assert.notStrictEqual(cli.code, 0)
    assert.include(cli.stderr, "HOME_INVALID")
    assert.include(cli.stderr, "relative-home")
    assert.isFalse(fs.existsSync(path.join(dir, "relative-home")))
  }, 60_000)

  it("a home where no lock can be taken (a file where the locks folder goes): the prompt still shows the messages", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-degraded-"))
    const home = path.join(dir, "bridge")
    const env = { SESSION_BRIDGE_HOME: home }
    const start = await run(
      dir,
      ["hook", "SessionStart", "--provider", "claude-code"],
      payload(dir, "SessionStart"),
      env
    )
    assert.strictEqual(start.code, 0)
    const file = fs.readdirSync(path.join(home, "sessions"))[0]!
    const me = Schema.decodeSync(SessionId)(file.replace(/\.json$/, ""))
    const infra = FileLock.layerFile.pipe(
      Layer.provideMerge(
        Layer.mergeAll(layerFileSystem(home), Ids.layer, HostEnv.layerMemory({ pid: process.pid, cwd: dir }))
      )
    )
    await Effect.runPromise(
      Effect.gen(function* () {
        const sender = yield* (yield* Sessions).register({ label: "alice", cwd: "/tmp/other", provider: "codex" })
        yield* (yield* Mailbox).send({ from: sender, to: { sessionId: me }, subject: "still here", body: "b" })
      }).pipe(Effect.provide(BridgeLayer.pipe(Layer.provide(infra))))
    )
    // lastSeen an hour old, so the prompt wants to refresh it; and no lock can be created any more.
    const recordPath = path.join(home, Layout.session(me))
    const record = JSON.parse(fs.readFileSync(recordPath, "utf8"))
    fs.writeFileSync(
      recordPath,
      JSON.stringify({ ...record, lastSeen: new Date(Date.now() - 3_600_000).toISOString() })
    )
    fs.rmSync(path.join(home, Layout.locksDir), { recursive: true, force: true })
    fs.writeFileSync(path.join(home, Layout.locksDir), "not a folder")
    const prompt = await run(
      dir,
      ["hook", "UserPromptSubmit", "--provider", "claude-code"],
      payload(dir, "UserPromptSubmit"),
      env
    )
    assert.strictEqual(prompt.code, 0)
    assert.include(JSON.parse(prompt.stdout).hookSpecificOutput.additionalContext, "still here")
  }, 60_000)
})
