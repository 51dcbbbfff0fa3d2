import { assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { BridgeLayer as BridgeServices } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { Sessions } from "../../src/bridge/Sessions.js"
import { Layout } from "../../src/domain/Layout.js"
import { CROCKFORD, encodeTime, SessionId } from "../../src/domain/Ulid.js"
import { Schema } from "effect"
import { layerFileSystem } from "../../src/platform/store/FileSystemStore.js"
import * as FileLock from "../../src/services/FileLock.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import { ensureBuilt, LAUNCHER } from "../support/build.js"

const BridgeLayer = BridgeServices.pipe(Layer.provideMerge(RemoteSendsLayer.layer))

let BIN = ""
beforeAll(async () => {
  BIN = await ensureBuilt()
}, 180_000)

const tempHome = () => fs.mkdtempSync(path.join(os.tmpdir(), "sb-hook-e2e-"))
const ulid = (seed: number) =>
  encodeTime(Date.now()) + Array.from({ length: 16 }, (_, i) => CROCKFORD[(seed * 7 + i * 13) % 32]).join("")

interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

/**
 * Runs the real `session-bridge hook` process with `stdin` (or /dev/null when undefined), through the installed
 * executable (the CommonJS launcher) unless `entry` says otherwise.
 */
const runHook = (
  home: string,
  args: ReadonlyArray<string>,
  stdin: string | undefined,
  env: Record<string, string> = {},
  entry = LAUNCHER
) =>
  new Promise<Run>((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [entry, "hook", ...args], {
      cwd: home,
      env: {
        PATH: process.env["PATH"] ?? "/usr/bin:/bin",
        HOME: path.join(home, "user"),
        SESSION_BRIDGE_HOME: home,
        // A generous budget: these tests check behaviour, not speed, on a machine that may be busy.
        SESSION_BRIDGE_HOOK_BUDGET_MS: "15000",
        ...env
      },
      stdio: [stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (c) => (stdout += c))
    child.stderr?.on("data", (c) => (stderr += c))
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, ms: performance.now() - started })
    })
    if (stdin !== undefined && child.stdin) child.stdin.end(stdin)
  })

/** The domain over the same home, in this process: to send messages and read state. */
const onHome = <A, E>(home: string, effect: Effect.Effect<A, E, Mailbox | Sessions>) => {
  const infra = FileLock.layerFile.pipe(
    Layer.provideMerge(
      Layer.mergeAll(layerFileSystem(home), Ids.layer, HostEnv.layerMemory({ pid: process.pid, cwd: home }))
    )
  )
  return Effect.runPromise(Effect.provide(effect, BridgeLayer.pipe(Layer.provide(infra))))
}

const sendMany = (home: string, to: string, n: number) =>
  onHome(
    home,
    Effect.gen(function* () {
      const sessions = yield* Sessions
      const mailbox = yield* Mailbox
      const sender = yield* sessions.register({ label: "alice", cwd: "/tmp/other", provider: "codex" })
      for (let i = 0; i < n; i++) {
        yield* mailbox.send({ from: sender, to: { sessionId: to }, subject: `subject ${i}`, body: `body ${i}` })
      }
    })
  )

const claude = (home: string, event: string, sessionId = "host-session-1") =>
  JSON.stringify({ session_id: sessionId, cwd: home, hook_event_name: event, transcript_path: "/x.jsonl" })

const shownSubjects = (reply: string): Array<number> =>
  reply === ""
    ? []
    : [...(JSON.parse(reply).hookSpecificOutput.additionalContext as string).matchAll(/subject: subject (\d+)/g)].map(
        (m) => Number(m[1])
      )

describe("hook process", () => {
  it("prints exactly the reply, exits 0, and writes nothing to stderr", async () => {
    const home = tempHome()
    const start = await runHook(home, ["SessionStart", "--provider", "claude"], claude(home, "SessionStart"))
    assert.deepStrictEqual([start.code, start.stdout, start.stderr], [0, "", ""])
    const sessionId = fs.readdirSync(path.join(home, "sessions"))[0]!.replace(/\.json$/, "")
    await sendMany(home, sessionId, 2)
    const prompt = await runHook(home, ["UserPromptSubmit", "--provider", "claude"], claude(home, "UserPromptSubmit"))
    assert.strictEqual(prompt.code, 0)
    assert.strictEqual(prompt.stderr, "")
    const parsed = JSON.parse(prompt.stdout)
    assert.deepStrictEqual(Object.keys(parsed), ["hookSpecificOutput"])
    assert.deepStrictEqual(shownSubjects(prompt.stdout), [0, 1])
    const again = await runHook(home, ["UserPromptSubmit", "--provider", "claude"], claude(home, "UserPromptSubmit"))
    assert.deepStrictEqual([again.code, again.stdout], [0, ""])
    // The ES module entry (dist/bin.js, written by `init` when run from a checkout) gives the same replies.
    await sendMany(home, sessionId, 1)
    const viaBin = await runHook(
      home,
      ["UserPromptSubmit", "--provider", "claude"],
      claude(home, "UserPromptSubmit"),
      {},
      BIN
    )
    assert.deepStrictEqual([viaBin.code, viaBin.stderr, shownSubjects(viaBin.stdout)], [0, "", [0]])
    const gemini = await runHook(home, ["BeforeAgent", "--provider", "gemini"], claude(home, "BeforeAgent", "g-1"), {
      SESSION_BRIDGE_DEBUG: "1"
    })
    assert.deepStrictEqual([gemini.code, gemini.stdout], [0, "{}"])
    assert.include(gemini.stderr, "gemini-cli BeforeAgent (prompt) done")
  })

  it("the second window started with a label already live gets one warning line at session start", async () => {
    const home = tempHome()
    const env = { SESSION_BRIDGE_LABEL: "planner" }
    const first = await runHook(
      home,
      ["SessionStart", "--provider", "claude"],
      claude(home, "SessionStart", "w-1"),
      env
    )
    assert.deepStrictEqual([first.code, first.stdout, first.stderr], [0, "", ""])
    const firstId = fs.readdirSync(path.join(home, "sessions"))[0]!.replace(/\.json$/, "")
    const second = await runHook(
      home,
      ["SessionStart", "--provider", "claude"],
      claude(home, "SessionStart", "w-2"),
      env
    )
    assert.deepStrictEqual([second.code, second.stderr], [0, ""])
    const reply = JSON.parse(second.stdout).hookSpecificOutput
    assert.strictEqual(reply.hookEventName, "SessionStart")
    assert.include(reply.additionalContext, `your label "planner" is also used by another live session`)
    assert.include(reply.additionalContext, `claude-code in ${home} (${firstId.slice(0, 12)})`)
    assert.include(reply.additionalContext, "SESSION_BRIDGE_LABEL=<name>")
    // Prompts do not repeat it.
    const prompt = await runHook(
      home,
      ["UserPromptSubmit", "--provider", "claude"],
      claude(home, "UserPromptSubmit", "w-2"),
      env
    )
    assert.deepStrictEqual([prompt.code, prompt.stdout], [0, ""])
  })

  it("keeps compiled code in the home's cache (0600), and replaces a corrupt cache", async () => {
    const home = tempHome()
    const payload = claude(home, "UserPromptSubmit")
    assert.strictEqual((await runHook(home, ["UserPromptSubmit", "--provider", "claude"], payload)).code, 0)
    const cacheDir = path.join(home, "cache")
    // Beside the code cache: the stamps of the launcher's fast path (hook-stamps/).
    const codeCache = () => fs.readdirSync(cacheDir).filter((name) => name.endsWith(".v8"))
    const [file] = codeCache()
    assert.match(file ?? "", /^hook-v\d+\.\d+\.\d+-.+\.v8$/)
    const cached = path.join(cacheDir, file!)
    assert.strictEqual(fs.statSync(cached).mode & 0o777, 0o600)
    assert.strictEqual(fs.statSync(cacheDir).mode & 0o777, 0o700)
    fs.writeFileSync(cached, "not V8 code")
    const run = await runHook(home, ["UserPromptSubmit", "--provider", "claude"], payload)
    assert.deepStrictEqual([run.code, run.stdout, run.stderr], [0, "", ""])
    assert.isAbove(fs.statSync(cached).size, 1000)
    // The first run that shows messages writes the cache once more, with the code that formats them; it replaces
    // the first one and later runs keep it.
    const sessionId = fs.readdirSync(path.join(home, "sessions"))[0]!.replace(/\.json$/, "")
    await sendMany(home, sessionId, 2)
    const shown = await runHook(home, ["UserPromptSubmit", "--provider", "claude"], payload)
    assert.deepStrictEqual(shownSubjects(shown.stdout), [0, 1])
    const after = codeCache()
    assert.deepStrictEqual(after, [file!.replace(/\.v8$/, ".shown.v8")])
    const written = fs.statSync(path.join(cacheDir, after[0]!)).mtimeMs
    await sendMany(home, sessionId, 1)
    assert.deepStrictEqual(
      shownSubjects((await runHook(home, ["UserPromptSubmit", "--provider", "claude"], payload)).stdout),
      [0]
    )
    assert.strictEqual(fs.statSync(path.join(cacheDir, after[0]!)).mtimeMs, written)
  })

  it("the hook's path loads no CLI framework and no MCP SDK", () => {
    const dist = path.dirname(BIN)
    // The launcher requires Node built-ins only and imports bin.js only for other commands.
    const launcher = fs.readFileSync(LAUNCHER, "utf8")
    for (const m of launcher.matchAll(/require\("([^"]+)"\)/g)) assert.match(m[1]!, /^node:/)
    assert.deepStrictEqual(
      [...launcher.matchAll(/import\("([^"]+)"\)/g)].map((m) => m[1]),
      ["./bin.js"]
    )
    const entry = /import\("\.\/(chunks\/main-[^"]+\.js)"\);\w+\(\w+\)/.exec(fs.readFileSync(BIN, "utf8"))
    assert.isNotNull(entry, "bin.js imports the hook entry chunk")
    const chunk = fs.readFileSync(path.join(dist, entry![1]!), "utf8")
    // The entry chunk imports Node built-ins (and esbuild's shared runtime helpers), then runs dist/hook.cjs.
    for (const m of chunk.matchAll(/from\s*"([^"]+)"/g)) assert.match(m[1]!, /^(node:|\.\/chunk-)/)
    const bundle = fs.readFileSync(path.join(dist, "hook.cjs"), "utf8")
    for (const marker of ["notifications/initialized", "McpServer", "--completions", "--wizard", "ZodError"]) {
      assert.notInclude(bundle, marker)
    }
    assert.notMatch(bundle, /require\("(@effect\/cli|@modelcontextprotocol|zod)/)
    // Node built-ins whose loading costs milliseconds per prompt stay out (node:os is loaded only without HOME);
    // stdin and stdout are used as descriptors.
    assert.deepStrictEqual([...new Set([...bundle.matchAll(/require\("(node:[^"]+)"\)/g)].map((m) => m[1]))].sort(), [
      "node:fs",
      "node:path"
    ])
    for (const m of launcher.matchAll(/require\("([^"]+)"\)/g)) assert.notStrictEqual(m[1], "node:os")
    // Node's global `performance` (it loads perf_hooks) is replaced in the bundle by the hook's own now().
    assert.notMatch(bundle, /\bperformance\b/)
    assert.notMatch(bundle, /process\.std(in|out)\b/)
  })

  it("bad input, /dev/null and unknown names: the host's empty reply, exit 0", async () => {
    const home = tempHome()
    const cases: ReadonlyArray<[ReadonlyArray<string>, string | undefined, string]> = [
      [["UserPromptSubmit", "--provider", "codex"], "{not json", "{}"],
      [["UserPromptSubmit", "--provider", "codex"], undefined, "{}"],
      [["beforeSubmitPrompt", "--provider", "cursor"], "\u0000\u0001", '{"continue":true}'],
      [["Nope", "--provider", "gemini-cli"], "{}", "{}"],
      [["UserPromptSubmit", "--provider", "nope"], "{}", ""],
      [[], undefined, ""]
    ]
    for (const [args, stdin, reply] of cases) {
      const run = await runHook(home, args, stdin)
      assert.deepStrictEqual([run.code, run.stdout, run.stderr], [0, reply, ""], `${args.join(" ")}`)
    }
    assert.isFalse(fs.existsSync(path.join(home, "sessions")))
  })

  it("recovers a stale lock left by a dead process", async () => {
    const home = tempHome()
    const id = ulid(1)
    fs.mkdirSync(path.join(home, "locks"), { recursive: true, mode: 0o700 })
    const dead = 2 ** 22 + 12345
    fs.writeFileSync(
      path.join(home, Layout.locksDir, `session-${id}.lock`),
      JSON.stringify({ pid: dead, token: "x", at: Date.now() })
    )
    const env = { SESSION_BRIDGE_SESSION_ID: id }
    const start = await runHook(
      home,
      ["SessionStart", "--provider", "codex"],
      JSON.stringify({ session_id: "c-1", cwd: home }),
      env
    )
    assert.deepStrictEqual([start.code, start.stdout], [0, "{}"])
    assert.isTrue(fs.existsSync(path.join(home, Layout.session(id))))
    await sendMany(home, id, 1)
    const prompt = await runHook(
      home,
      ["UserPromptSubmit", "--provider", "codex"],
      JSON.stringify({ session_id: "c-1", cwd: home }),
      env
    )
    assert.strictEqual(prompt.code, 0)
    assert.include(JSON.parse(prompt.stdout).hookSpecificOutput.additionalContext, "subject 0")
  })

  it("a lock held by a live process runs out the budget: empty reply, exit 0, nothing lost", async () => {
    const home = tempHome()
    const id = ulid(2)
    const env = { SESSION_BRIDGE_SESSION_ID: id }
    const payload = JSON.stringify({ session_id: "c-2", cwd: home })
    await runHook(home, ["SessionStart", "--provider", "codex"], payload, env)
    await sendMany(home, id, 3)
    // A lastSeen old enough to need refreshing, so the prompt must take the session's lock.
    const recordFile = path.join(home, "sessions", `${id}.json`)
    const record = JSON.parse(fs.readFileSync(recordFile, "utf8"))
    fs.writeFileSync(recordFile, JSON.stringify({ ...record, lastSeen: new Date(Date.now() - 300_000).toISOString() }))
    const lock = path.join(home, Layout.locksDir, `session-${id}.lock`)
    fs.writeFileSync(lock, JSON.stringify({ pid: process.pid, token: "held", at: Date.now() }))
    const blocked = await runHook(home, ["UserPromptSubmit", "--provider", "codex"], payload, {
      ...env,
      SESSION_BRIDGE_HOOK_BUDGET_MS: "1500",
      SESSION_BRIDGE_DEBUG: "1"
    })
    assert.deepStrictEqual([blocked.code, blocked.stdout], [0, "{}"])
    assert.include(blocked.stderr, "budget of 1500 ms ran out")
    assert.isBelow(blocked.ms, 5_000)
    fs.rmSync(lock)
    const after = await runHook(home, ["UserPromptSubmit", "--provider", "codex"], payload, env)
    assert.deepStrictEqual(
      [...(JSON.parse(after.stdout).hookSpecificOutput.additionalContext as string).matchAll(/subject (\d)/g)].map(
        (m) => m[1]
      ),
      ["0", "1", "2"]
    )
  })

  it("surfaces each message at most once across concurrent hook processes of one session", async () => {
    const home = tempHome()
    await runHook(home, ["SessionStart", "--provider", "claude"], claude(home, "SessionStart"))
    const sessionId = Schema.decodeSync(SessionId)(
      fs.readdirSync(path.join(home, "sessions"))[0]!.replace(/\.json$/, "")
    )
    const seen: Array<number> = []
    for (let round = 0; round < 3; round++) {
      await sendMany(home, sessionId, 6)
      const runs = await Promise.all(
        [0, 1, 2].map(() =>
          runHook(home, ["UserPromptSubmit", "--provider", "claude"], claude(home, "UserPromptSubmit"))
        )
      )
      for (const run of runs) {
        assert.strictEqual(run.code, 0)
        seen.push(...shownSubjects(run.stdout).map((n) => n + round * 6))
      }
      // Whatever a run did not show is still waiting for the next prompt.
      const rest = await runHook(home, ["UserPromptSubmit", "--provider", "claude"], claude(home, "UserPromptSubmit"))
      seen.push(...shownSubjects(rest.stdout).map((n) => n + round * 6))
    }
    assert.deepStrictEqual(
      [...seen].sort((a, b) => a - b),
      Array.from({ length: 18 }, (_, i) => i)
    )
  }, 180_000)
})

describe("hook process on a hostile inbox", () => {
  it("a FIFO or a link planted as the code cache, or a linked cache folder: the hook neither blocks nor writes out", async () => {
    const home = tempHome()
    const payload = claude(home, "UserPromptSubmit")
    assert.strictEqual((await runHook(home, ["UserPromptSubmit", "--provider", "claude"], payload)).code, 0)
    const cacheDir = path.join(home, "cache")
    const [file] = fs.readdirSync(cacheDir).filter((name) => name.endsWith(".v8"))
    const cached = path.join(cacheDir, file!)
    fs.rmSync(cached)
    execFileSync("mkfifo", [cached])
    fs.symlinkSync("/dev/zero", cached.replace(/\.v8$/, ".shown.v8"))
    const blocked = await runHook(home, ["UserPromptSubmit", "--provider", "claude"], payload)
    assert.deepStrictEqual([blocked.code, blocked.stdout, blocked.stderr], [0, "", ""])
    assert.isBelow(blocked.ms, 5000)
    // A cache folder that is a link elsewhere is not written through.
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), "sb-cache-outside-"))
    fs.rmSync(cacheDir, { recursive: true })
    fs.symlinkSync(outside, cacheDir)
    assert.strictEqual((await runHook(home, ["UserPromptSubmit", "--provider", "claude"], payload)).code, 0)
    assert.deepStrictEqual(fs.readdirSync(outside), [])
    fs.rmSync(outside, { recursive: true })
  }, 40_000)

  it("a FIFO, a /dev/zero link and a directory named like messages: answers within its budget, shows the rest", async () => {
    const home = tempHome()
    const start = await runHook(home, ["SessionStart", "--provider", "claude"], claude(home, "SessionStart"))
    assert.strictEqual(start.code, 0)
    const sessionId = fs.readdirSync(path.join(home, "sessions"))[0]!.replace(/\.json$/, "")
    await sendMany(home, sessionId, 2)
    const inbox = path.join(home, "inbox", sessionId)
    // Named so they sort before, between and after the real messages.
    const fifo = path.join(inbox, `${ulid(1).replace(/^.{10}/, "0000000000")}.json`)
    execFileSync("mkfifo", [fifo])
    const zero = path.join(inbox, `${ulid(2)}.json`)
    fs.symlinkSync("/dev/zero", zero)
    const dir = path.join(inbox, `${ulid(3).replace(/^.{10}/, "7ZZZZZZZZZ")}.json`)
    fs.mkdirSync(dir)
    const budgetMs = 4000
    const run = await runHook(home, ["UserPromptSubmit", "--provider", "claude"], claude(home, "UserPromptSubmit"), {
      SESSION_BRIDGE_HOOK_BUDGET_MS: String(budgetMs)
    })
    assert.strictEqual(run.code, 0, run.stderr)
    assert.isBelow(run.ms, budgetMs + 2000)
    assert.deepStrictEqual(shownSubjects(run.stdout), [0, 1])
    // Each was set aside under its own name, without following it; the log names them and quotes nothing.
    const left = fs.readdirSync(inbox)
    for (const planted of [fifo, zero, dir]) assert.notInclude(left, path.basename(planted))
    const quarantined = fs.readdirSync(path.join(home, "quarantine")).join("\n")
    for (const planted of [fifo, zero, dir]) assert.include(quarantined, path.basename(planted))
    const log = fs.readFileSync(path.join(home, "events.log"), "utf8")
    assert.include(log, "a FIFO")
    assert.include(log, "a symbolic link")
    assert.include(log, "a directory")
  }, 40_000)
})
