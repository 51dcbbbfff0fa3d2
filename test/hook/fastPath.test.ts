import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFileSync, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Broadcasts } from "../../src/bridge/Broadcasts.js"
import { BridgeLayer as BridgeServices } from "../../src/bridge/BridgeLayer.js"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { Sessions } from "../../src/bridge/Sessions.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import {
  encodeStamp,
  FAST_PATH_HOSTS,
  type HookStamp,
  parseStamp,
  stampPath,
  watchedDirs
} from "../../src/domain/HookStamp.js"
import { Layout } from "../../src/domain/Layout.js"
import { findHost } from "../../src/hook/hosts/index.js"
import { claudeStyleDecode } from "../../src/hook/hosts/HostAdapter.js"
import { layerFileSystem } from "../../src/platform/store/FileSystemStore.js"
import * as FileLock from "../../src/services/FileLock.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import { ensureBuilt, LAUNCHER } from "../support/build.js"

/*
 * The launcher's "nothing waiting" fast path, end to end through dist/session-bridge.cjs: SESSION_BRIDGE_DEBUG makes
 * the launcher say on stderr which path ran.
 */

const BridgeLayer = BridgeServices.pipe(Layer.provideMerge(RemoteSendsLayer.layer))

beforeAll(async () => {
  await ensureBuilt()
}, 180_000)

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly fast: boolean
}

/** One hook process; `stdin` is written in the given pieces, `pauseMs` apart, then closed. */
const hook = (
  home: string,
  args: ReadonlyArray<string>,
  stdin: string | ReadonlyArray<string>,
  env: Record<string, string> = {},
  pauseMs = 0
) =>
  new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, "hook", ...args], {
      cwd: home,
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: path.join(home, "user"),
        SESSION_BRIDGE_HOME: path.join(home, "bridge"),
        SESSION_BRIDGE_HOOK_BUDGET_MS: "15000",
        SESSION_BRIDGE_DEBUG: "1",
        ...env
      },
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
      resolve({ code, stdout, stderr, fast: stderr.includes("fast path, nothing waiting") })
    })
    child.stdin.on("error", () => {})
    const pieces = typeof stdin === "string" ? [stdin] : [...stdin]
    const next = () => {
      const piece = pieces.shift()
      if (piece === undefined) return child.stdin.end()
      child.stdin.write(piece)
      setTimeout(next, pieces.length === 0 ? 0 : pauseMs)
    }
    next()
  })

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "sb-fastpath-"))
const payload = (dir: string, sessionId = "host-1", event = "UserPromptSubmit") =>
  JSON.stringify({ session_id: sessionId, cwd: dir, hook_event_name: event, prompt: "go on" })
const PROMPT = ["UserPromptSubmit", "--provider", "claude-code"]

const onHome = <A, E>(dir: string, effect: Effect.Effect<A, E, Mailbox | Sessions | Broadcasts>) => {
  const infra = FileLock.layerFile.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        layerFileSystem(path.join(dir, "bridge")),
        Ids.layer,
        HostEnv.layerMemory({ pid: process.pid, cwd: dir })
      )
    )
  )
  return Effect.runPromise(Effect.provide(effect, BridgeLayer.pipe(Layer.provide(infra))))
}

const sender = Effect.flatMap(Sessions, (s) => s.register({ label: "alice", cwd: "/tmp/other", provider: "codex" }))
const send = (dir: string, to: string, subject: string) =>
  onHome(
    dir,
    Effect.gen(function* () {
      yield* (yield* Mailbox).send({ from: yield* sender, to: { sessionId: to as never }, subject, body: "b" })
    })
  )
const broadcast = (dir: string, subject: string) =>
  onHome(
    dir,
    Effect.gen(function* () {
      yield* (yield* Broadcasts).post({ from: yield* sender, subject })
    })
  )

const shown = (r: Run): string =>
  r.stdout === "" ? "" : (JSON.parse(r.stdout).hookSpecificOutput.additionalContext as string)

const stampFile = (dir: string) => {
  const stamps = path.join(dir, "bridge", "cache", "hook-stamps")
  return path.join(stamps, fs.readdirSync(stamps)[0]!)
}

/** A session whose prompts have reached the fast path: its bridge session id. */
const settled = async (dir: string, sessionId = "host-1"): Promise<string> => {
  const first = await hook(dir, PROMPT, payload(dir, sessionId))
  assert.deepStrictEqual([first.code, first.stdout, first.fast], [0, "", false])
  assert.include(first.stderr, "full path (no stamp)")
  const second = await hook(dir, PROMPT, payload(dir, sessionId))
  assert.deepStrictEqual([second.code, second.stdout, second.fast], [0, "", true])
  return JSON.parse(fs.readFileSync(stampFile(dir), "utf8")).sessionId as string
}

describe("hook fast path (dist launcher)", () => {
  it("answers nothing when nothing changed, and a message sent after the stamp is surfaced by the next prompt", async () => {
    const dir = tempDir()
    const me = await settled(dir)
    assert.strictEqual(fs.statSync(stampFile(dir)).mode & 0o777, 0o600)
    await send(dir, me, "after the stamp")
    const next = await hook(dir, PROMPT, payload(dir))
    assert.isFalse(next.fast)
    // A local message is shown by the fast path itself (ADR-0047), without the bundle.
    assert.include(next.stderr, "fast path, inbox block shown")
    assert.include(shown(next), "after the stamp")
    // Its surfaced marker changed the session's folders: the next prompt lists them, finds nothing and stamps again.
    const again = await hook(dir, PROMPT, payload(dir))
    assert.deepStrictEqual([again.stdout, again.fast], ["", true])
    assert.match(again.stderr, /fast path, nothing waiting \(.*; stamped\)/)
    const third = await hook(dir, PROMPT, payload(dir))
    assert.deepStrictEqual([third.stdout, third.fast, third.stderr.includes("changed")], ["", true, false])
  }, 60_000)

  it("a change within the stamp's timestamp tick (mtime put back with utimes) still goes the full path", async () => {
    const dir = tempDir()
    const me = await settled(dir)
    // The inbox exists and was stamped with a whole-second mtime taken 1.5 s before the stamp (2 s trust).
    await send(dir, me, "first")
    assert.include(shown(await hook(dir, PROMPT, payload(dir))), "first")
    await hook(dir, PROMPT, payload(dir))
    const inbox = path.join(dir, "bridge", Layout.inboxDir(me))
    const tick = new Date(Math.floor(Date.now() / 1000) * 1000 - 10_000)
    const file = stampFile(dir)
    const stamp = JSON.parse(fs.readFileSync(file, "utf8"))
    stamp.dirs = stamp.dirs.map((d: { path: string; mtimeMs: number | null }) =>
      d.path === Layout.inboxDir(me) ? { ...d, mtimeMs: tick.getTime() } : d
    )
    stamp.takenAt = tick.getTime() + 1500
    fs.writeFileSync(file, JSON.stringify(stamp), { mode: 0o600 })
    await send(dir, me, "same tick")
    fs.utimesSync(inbox, tick, tick)
    const next = await hook(dir, PROMPT, payload(dir))
    assert.include(next.stderr, "changed just before the stamp")
    assert.include(shown(next), "same tick")
  }, 60_000)

  it("a session start with nothing waiting stamps, so the first prompt is already fast; one with mail does not", async () => {
    const dir = tempDir()
    const start = await hook(dir, ["SessionStart", "--provider", "claude-code"], payload(dir, "host-1", "SessionStart"))
    assert.deepStrictEqual([start.code, start.stdout], [0, ""])
    assert.isTrue((await hook(dir, PROMPT, payload(dir))).fast)
    const me = JSON.parse(fs.readFileSync(stampFile(dir), "utf8")).sessionId as string
    await send(dir, me, "before the restart")
    const file = stampFile(dir)
    fs.rmSync(file)
    await hook(dir, ["SessionStart", "--provider", "claude-code"], payload(dir, "host-1", "SessionStart"))
    assert.isFalse(fs.existsSync(file))
    const first = await hook(dir, PROMPT, payload(dir))
    assert.include(shown(first), "before the restart")
  }, 60_000)

  it("a broadcast posted after the stamp is surfaced", async () => {
    const dir = tempDir()
    await settled(dir)
    await broadcast(dir, "to everyone")
    const next = await hook(dir, PROMPT, payload(dir))
    assert.isFalse(next.fast)
    assert.include(shown(next), "to everyone")
  }, 60_000)

  it("lastSeen is still refreshed on schedule, and an ended session is revived", async () => {
    const dir = tempDir()
    const me = await settled(dir)
    const recordPath = path.join(dir, "bridge", Layout.session(me))
    const old = new Date(Date.now() - 61_000).toISOString()
    fs.writeFileSync(recordPath, JSON.stringify({ ...JSON.parse(fs.readFileSync(recordPath, "utf8")), lastSeen: old }))
    const due = await hook(dir, PROMPT, payload(dir))
    assert.include(due.stderr, "lastSeen refresh due")
    assert.isAbove(Date.parse(JSON.parse(fs.readFileSync(recordPath, "utf8")).lastSeen), Date.parse(old))
    assert.isTrue((await hook(dir, PROMPT, payload(dir))).fast)
    await hook(dir, ["SessionEnd", "--provider", "claude-code"], payload(dir, "host-1", "SessionEnd"))
    assert.isDefined(JSON.parse(fs.readFileSync(recordPath, "utf8")).endedAt)
    const back = await hook(dir, PROMPT, payload(dir))
    assert.include(back.stderr, "the session ended")
    assert.isUndefined(JSON.parse(fs.readFileSync(recordPath, "utf8")).endedAt)
  }, 60_000)

  it("another host session id, cwd, host, label or a session named by the environment falls through", async () => {
    const dir = tempDir()
    await settled(dir)
    const other = await hook(dir, PROMPT, payload(dir, "host-2"))
    assert.include(other.stderr, "full path (no stamp)")
    const codex = await hook(dir, ["UserPromptSubmit", "--provider", "codex"], payload(dir))
    assert.deepStrictEqual([codex.stdout, codex.fast], ["{}", false])
    const env = await hook(dir, PROMPT, payload(dir), { SESSION_BRIDGE_SESSION_ID: "01ARZ3NDEKTSV4RRFFQ69G5FAV" })
    assert.include(env.stderr, "session set by the environment")
    assert.isTrue((await hook(dir, PROMPT, payload(dir))).fast)
    const label = await hook(dir, PROMPT, payload(dir), { SESSION_BRIDGE_LABEL: "renamed" })
    assert.include(label.stderr, "the label changes")
    const cwd = await hook(dir, PROMPT, JSON.stringify({ session_id: "host-1", cwd: "/elsewhere" }))
    assert.include(cwd.stderr, "stamp of another session")
    const start = await hook(dir, ["SessionStart", "--provider", "claude-code"], payload(dir, "host-1", "SessionStart"))
    assert.isFalse(start.fast)
  }, 90_000)

  it("hostile stamps and folders (a link, a FIFO, oversized, malformed, a linked inbox) give the full path", async () => {
    const dir = tempDir()
    const me = await settled(dir)
    const file = stampFile(dir)
    const good = fs.readFileSync(file, "utf8")
    const decoy = path.join(dir, "decoy.json")
    fs.writeFileSync(decoy, good)
    const planted: Array<readonly [string, () => void]> = [
      ["link", () => fs.symlinkSync(decoy, file)],
      ["fifo", () => execFileSync("mkfifo", [file])],
      ["oversized", () => fs.writeFileSync(file, good.replace("{", `{"pad":"${"x".repeat(10_000)}",`))],
      ["malformed", () => fs.writeFileSync(file, good.slice(0, -3))],
      ["foreign dirs", () => fs.writeFileSync(file, good.replace(`"inbox/${me}"`, '"inbox/../../etc"'))]
    ]
    for (const [what, plant] of planted) {
      fs.rmSync(file, { force: true })
      plant()
      const r = await hook(dir, PROMPT, payload(dir))
      assert.deepStrictEqual([what, r.code, r.stdout, r.fast], [what, 0, "", false])
      assert.include(r.stderr, "full path")
    }
    assert.isTrue((await hook(dir, PROMPT, payload(dir))).fast)
    // The inbox swapped for a link to a folder with the same mtime: never trusted.
    await send(dir, me, "behind a link")
    await hook(dir, PROMPT, payload(dir))
    await hook(dir, PROMPT, payload(dir))
    const inbox = path.join(dir, "bridge", Layout.inboxDir(me))
    fs.renameSync(inbox, `${inbox}.moved`)
    fs.symlinkSync(`${inbox}.moved`, inbox)
    const linked = await hook(dir, PROMPT, payload(dir))
    assert.isFalse(linked.fast)
    assert.strictEqual(linked.code, 0)
  }, 90_000)

  it("waits for stdin written in pieces, hands it to the full hook, and answers a held stdin at the budget", async () => {
    const dir = tempDir()
    const me = await settled(dir)
    const text = payload(dir)
    const quiet = await hook(dir, PROMPT, [text.slice(0, 20), text.slice(20)], {}, 300)
    assert.deepStrictEqual([quiet.code, quiet.stdout, quiet.fast], [0, "", true])
    await send(dir, me, "split stdin")
    const split = await hook(dir, PROMPT, [text.slice(0, 20), text.slice(20)], {}, 300)
    assert.include(shown(split), "split stdin")
    // The rest comes after the budget: the empty reply at the budget, as the full hook gives it.
    const started = performance.now()
    const held = await hook(
      dir,
      PROMPT,
      [text.slice(0, 20), text.slice(20)],
      { SESSION_BRIDGE_HOOK_BUDGET_MS: "400" },
      3000
    )
    assert.deepStrictEqual([held.code, held.stdout], [0, ""])
    assert.isBelow(performance.now() - started, 2900)
  }, 60_000)
})

describe("hook fast path, shared definitions", () => {
  it("answers each host's prompt with the empty reply its adapter gives, for the event the adapter calls a prompt", () => {
    for (const [id, host] of Object.entries(FAST_PATH_HOSTS)) {
      const adapter = findHost(id)!
      assert.strictEqual(adapter.id, id)
      assert.strictEqual(adapter.events[host.prompt], "prompt")
      assert.strictEqual(adapter.emptyReply(host.prompt), host.empty)
      assert.strictEqual(adapter.decode, claudeStyleDecode)
    }
  })

  it("a stamp round-trips, and anything else is refused", () => {
    const me = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    const stamp: HookStamp = {
      v: 1,
      bundle: "1-2",
      provider: "claude-code",
      hostSessionId: "h",
      cwd: "/w",
      sessionId: me,
      pointer: "pointers/claude-code-h.json",
      recordCwd: "/w",
      refreshMs: 60_000,
      takenAt: 5_000,
      dirs: watchedDirs(me).map((p, i) => ({ path: p, mtimeMs: i === 0 ? null : 1_000 }))
    }
    assert.deepStrictEqual(parseStamp(encodeStamp(stamp)), stamp)
    const bad = (change: Record<string, unknown>) => parseStamp(JSON.stringify({ ...stamp, ...change }))
    assert.isUndefined(bad({ v: 2 }))
    assert.isUndefined(bad({ sessionId: "../x" }))
    assert.isUndefined(bad({ pointer: "pointers/../sessions/x.json" }))
    assert.isUndefined(bad({ pointer: "/etc/passwd" }))
    assert.isUndefined(bad({ dirs: stamp.dirs.slice(1) }))
    assert.isUndefined(bad({ dirs: [{ path: "/tmp", mtimeMs: 1 }, ...stamp.dirs.slice(1)] }))
    assert.isUndefined(bad({ takenAt: "soon" }))
    assert.isUndefined(parseStamp("[]"))
    assert.isUndefined(parseStamp("{"))
    assert.notStrictEqual(stampPath("codex", "h"), stampPath("claude-code", "h"))
  })

  it("a shell pipe on stdin (a FIFO) is read the same way", () => {
    const dir = tempDir()
    const env = { ...process.env, SESSION_BRIDGE_HOME: path.join(dir, "bridge"), SESSION_BRIDGE_DEBUG: "1" }
    const run = () =>
      spawnSync(
        "sh",
        ["-c", `printf '%s' '${payload(dir)}' | "${process.execPath}" "${LAUNCHER}" hook ${PROMPT.join(" ")}`],
        {
          env,
          encoding: "utf8"
        }
      )
    assert.include(run().stderr, "full path (no stamp)")
    const second = run()
    assert.deepStrictEqual([second.status, second.stdout], [0, ""])
    assert.include(second.stderr, "fast path, nothing waiting")
  }, 30_000)
})
