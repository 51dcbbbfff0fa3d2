import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { HOST_IDS } from "../../src/hosts/index.js"
import { BIN, ensureBuilt } from "../support/build.js"
import { mcpServers, type Ran } from "../support/cliRun.js"
import { serverEnv, tempHome } from "../support/mcpClient.js"

/**
 * The CLI as a user meets it in a real bash: `session-bridge` on PATH, pipelines, loops, completion functions.
 */

const user = os.userInfo().username

describe("session-bridge in a shell", () => {
  const home = tempHome("sb-shell-")
  const binDir = path.join(home, "bin")
  const servers = mcpServers(home)
  const env = (extra: Record<string, string> = {}) => ({
    ...serverEnv({ home }),
    PATH: `${binDir}:${process.env["PATH"] ?? "/usr/bin:/bin"}`,
    ...extra
  })

  /** Runs a bash script with `session-bridge` on PATH. */
  const bash = (script: string, extra: Record<string, string> = {}, timeout = 30_000): Ran => {
    const r = spawnSync("bash", ["-c", script], { env: env(extra), cwd: home, encoding: "utf8", timeout })
    return { code: r.status, stdout: r.stdout, stderr: r.stderr }
  }

  beforeAll(async () => {
    await ensureBuilt()
    fs.mkdirSync(binDir, { recursive: true })
    fs.writeFileSync(
      path.join(binDir, "session-bridge"),
      `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"\n`,
      { mode: 0o755 }
    )
  }, 180_000)

  afterAll(async () => {
    await servers.closeAll()
    fs.rmSync(home, { recursive: true, force: true })
  })

  const mcp = servers.open

  it("never reads an open stdin unasked; --body-file - reads it", async () => {
    const bob = await mcp("bob")
    // stdin stays open (like `sleep 8 | session-bridge …`): the command must finish on its own.
    const started = Date.now()
    const child = spawn(process.execPath, [BIN, "send-message", "bob", "open stdin"], {
      env: env(),
      cwd: home,
      stdio: ["pipe", "pipe", "pipe"]
    })
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill("SIGKILL"), 8_000)
      child.on("exit", (c) => {
        clearTimeout(timer)
        resolve(c)
      })
    })
    assert.strictEqual(code, 0)
    assert.isBelow(Date.now() - started, 7_000)
    child.stdin!.destroy()

    // In a `while read` loop the command must not eat the loop's input.
    const loop = bash(
      `printf 'bob\\nbob\\nbob\\n' | while read -r to; do session-bridge send-message "$to" looped >/dev/null || exit 9; done`
    )
    assert.strictEqual(loop.code, 0, loop.stderr)
    const piped = bash(`printf 'from a pipe\\n' | session-bridge send-message bob piped --body-file -`)
    assert.strictEqual(piped.code, 0, piped.stderr)

    const inbox = await bob.ok("bridge_list_inbox", { limit: 50 })
    const subjects = inbox.entries.map((e: { subject: string }) => e.subject)
    assert.strictEqual(subjects.filter((s: string) => s === "looped").length, 3)
    const pipedId = inbox.entries.find((e: { subject: string }) => e.subject === "piped").id
    const read = await bob.ok("bridge_read_message", { id: pipedId })
    assert.strictEqual(read.body, "from a pipe\n")
  }, 60_000)

  it("help reads like gh: program name, flags with defaults, an example, no colour; help <cmd> is the same", () => {
    for (const extra of [{}, { NO_COLOR: "1" }, { TERM: "dumb" }, { FORCE_COLOR: "1" }]) {
      const r = bash("session-bridge tail-inbox --help", extra)
      assert.strictEqual(r.code, 0, r.stderr)
      assert.notInclude(r.stdout, "\u001b[")
      assert.match(r.stdout, /^Print your inbox.*\n\nUSAGE\n {2}session-bridge tail-inbox \[flags\]\n/)
      assert.match(r.stdout, /--limit int +How many to show .*\(default: 20\)/)
      assert.match(r.stdout, /\nEXAMPLES\n {2}\$ session-bridge tail-inbox/)
    }
    const post = bash("session-bridge channel post --help")
    assert.match(post.stdout, /\n {2}session-bridge channel post <channel> <subject> \[flags\]\n/)
    assert.match(post.stdout, /--artifact file +Attach a file .*repeatable/)
    assert.notMatch(post.stdout, /--artifact[^\n]*required/)
    for (const noise of ["A user-defined piece of text", "This setting is optional", "--wizard", "--log-level"])
      assert.notInclude(post.stdout, noise)
    assert.isBelow(post.stdout.split("\n").length, 40)
    assert.strictEqual(bash("session-bridge help channel post").stdout, post.stdout)
    const typo = bash("session-bridge sned-message bob hi")
    assert.strictEqual(typo.code, 2)
    assert.match(typo.stderr, /Did you mean `session-bridge send-message`\?/)
    // --wizard is refused at once, even with stdin closed (it used to wait for answers).
    const wizard = bash("session-bridge send-message --wizard </dev/null")
    assert.strictEqual(wizard.code, 2)
    assert.match(wizard.stderr, /^error INVALID_ARGUMENT: unknown flag --wizard\n/)
  }, 60_000)

  it("completion: subcommands, flags and provider ids at every level, in a real bash", () => {
    const r = bash(`
      source <(session-bridge completion bash)
      complete -p session-bridge
      c() { COMP_WORDS=("$@"); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMP_LINE="$*"; COMP_POINT=\${#COMP_LINE}
            COMPREPLY=(); _session_bridge; echo "$* => \${COMPREPLY[*]}"; }
      c session-bridge chan
      c session-bridge channel ""
      c session-bridge --verbose channel p
      c session-bridge init --provider ""
      c session-bridge init --provider cl
      c session-bridge channel post --b
      c session-bridge tail-inbox -
      c session-bridge completion ""
      c session-bridge help cha
      c session-bridge artifact ""
    `)
    assert.strictEqual(r.code, 0, r.stderr)
    const line = (prefix: string) => r.stdout.split("\n").find((l) => l.startsWith(`${prefix} =>`)) ?? ""
    const words = (prefix: string) => line(prefix).split(" => ")[1]?.split(" ") ?? []
    assert.match(r.stdout, /^complete .*-F _session_bridge session-bridge$/m)
    assert.deepStrictEqual(words("session-bridge chan"), ["channel"])
    assert.deepStrictEqual(words("session-bridge channel "), ["list", "join", "leave", "history", "post"])
    assert.deepStrictEqual(words("session-bridge --verbose channel p"), ["post"])
    // Every host id, in the descriptors' order.
    assert.deepStrictEqual(words("session-bridge init --provider "), [...HOST_IDS])
    assert.deepStrictEqual(words("session-bridge init --provider cl"), ["claude-code", "cline"])
    assert.deepStrictEqual(words("session-bridge channel post --b"), ["--body", "--body-file"])
    assert.includeMembers(words("session-bridge tail-inbox -"), [
      "--follow",
      "-f",
      "--all",
      "--limit",
      "--json",
      "--help"
    ])
    assert.deepStrictEqual(words("session-bridge completion "), ["bash", "zsh", "fish"])
    assert.deepStrictEqual(words("session-bridge help cha"), ["channel"])
    assert.deepStrictEqual(words("session-bridge artifact "), ["save"])
    // The zsh and fish scripts come from the same table.
    assert.match(bash("session-bridge completion zsh").stdout, /bashcompinit[\s\S]*_session_bridge_subs/)
    const fish = bash("session-bridge completion fish").stdout
    assert.match(fish, /complete -c session-bridge -n '__session_bridge_is \\'channel\\'' -a 'post'/)
    assert.match(fish, /-l provider -x -a 'claude-code codex/)
  }, 60_000)

  it("exit codes: usage errors exit 2 with the error shape; conflicting flags are refused; hints are shell-safe", () => {
    const cases: ReadonlyArray<readonly [string, RegExp]> = [
      ["session-bridge tail-inbox --limit 0", /^error INVALID_ARGUMENT: limit must be/],
      ["session-bridge broadcast x --ttl 0", /^error INVALID_ARGUMENT: ttlSec must be/],
      ["session-bridge uninstall", /^error INVALID_ARGUMENT: name a host with --provider/],
      ["session-bridge init --provider claude-code --all", /^error INVALID_ARGUMENT: --provider and --all cannot both/],
      ["session-bridge uninstall --provider codex --all", /^error INVALID_ARGUMENT: --provider and --all cannot both/],
      [
        "session-bridge tail-inbox --limit many",
        /^error INVALID_ARGUMENT: .*many.*\nhint: Run `session-bridge tail-inbox --help`/
      ],
      ["session-bridge send-message", /^error INVALID_ARGUMENT: .*\nhint: Run `session-bridge send-message --help`/]
    ]
    for (const [line, pattern] of cases) {
      const r = bash(line)
      assert.strictEqual(r.code, 2, `${line}: ${r.stderr}`)
      assert.match(r.stderr, pattern, line)
      assert.notInclude(r.stderr, "\u001b[")
    }
    const notMember = bash("session-bridge channel post '#release' hello")
    assert.strictEqual(notMember.code, 1)
    const hint = /hint: Join it first: `(.+?)`/.exec(notMember.stderr)?.[1]
    assert.strictEqual(hint, "session-bridge channel join '#release'")
    // The hint pasted into a shell does what it says.
    const joined = bash(hint!)
    assert.strictEqual(joined.code, 0, joined.stderr)
    assert.match(joined.stdout, /is in #release/)
    const missing = bash("session-bridge read 01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert.strictEqual(missing.code, 1)
    assert.notMatch(missing.stderr, /bridge_[a-z_]+/)
  }, 60_000)

  it("tail-inbox -f | head -1 ends quietly when head goes away", async () => {
    const alice = servers.handles[0] ?? (await mcp("alice"))
    bash("session-bridge tail-inbox") // registers the terminal's session
    await alice.ok("bridge_send_message", { to: { label: user }, subject: "first", body: "one" })
    const child = spawn("bash", ["-c", 'session-bridge tail-inbox -f | head -1; echo "status=${PIPESTATUS[0]}"'], {
      env: env(),
      cwd: home,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")))
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString("utf8")))
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve))
    const deadline = Date.now() + 15_000
    while (!stdout.includes("──") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    // head has exited; the next message makes tail-inbox write into the closed pipe.
    for (let i = 0; i < 20 && !stdout.includes("status="); i++) {
      await alice.ok("bridge_send_message", { to: { label: user }, subject: `more ${i}`, body: "x" })
      await new Promise((r) => setTimeout(r, 250))
    }
    assert.strictEqual(await exited, 0)
    assert.match(stdout, /^── [0-9A-Z]{26} {2}from .*\nstatus=0\n$/)
    assert.notMatch(stderr, /EPIPE|Error|at .*\.js:\d+/)
  }, 60_000)

  it("read, mark-read and artifact save work from a terminal", async () => {
    const carol = await mcp("carol")
    bash("session-bridge tail-inbox")
    const posted = await carol.ok("bridge_post_artifact", { name: "notes.txt", text: "artifact bytes\n" })
    const sent = await carol.ok("bridge_send_message", {
      to: { label: user },
      subject: "with a file",
      body: "see attached",
      artifacts: [posted.sha256]
    })
    const read = bash(`session-bridge read ${sent.messageId}`)
    assert.strictEqual(read.code, 0, read.stderr)
    assert.match(read.stdout, /with a file\n {3}│ see attached\n/)
    assert.include(read.stdout, `${posted.sha256}  notes.txt`)
    const marked = bash(`session-bridge mark-read ${sent.messageId}`)
    assert.strictEqual(marked.code, 0, marked.stderr)
    assert.match(marked.stdout, /^Marked 1 message read\.\n$/)
    const json = JSON.parse(bash(`session-bridge read ${sent.messageId} --json`).stdout)
    assert.strictEqual(json.read, true)
    const unknown = bash("session-bridge mark-read 01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert.strictEqual(unknown.code, 1)
    assert.match(unknown.stderr, /^error MESSAGE_NOT_FOUND: /)

    const dir = fs.mkdtempSync(path.join(home, "save-"))
    const saved = bash(`cd ${dir} && session-bridge artifact save ${posted.sha256}`)
    assert.strictEqual(saved.code, 0, saved.stderr)
    assert.strictEqual(fs.readFileSync(path.join(dir, "notes.txt"), "utf8"), "artifact bytes\n")
    // An existing file is kept unless --force.
    fs.writeFileSync(path.join(dir, "keep.txt"), "mine\n")
    const refused = bash(`cd ${dir} && session-bridge artifact save ${posted.sha256} -o keep.txt`)
    assert.strictEqual(refused.code, 2)
    assert.match(refused.stderr, /already exists\nhint: Pass --force/)
    assert.strictEqual(fs.readFileSync(path.join(dir, "keep.txt"), "utf8"), "mine\n")
    // A link at the target is never followed: refused without --force, replaced (not written through) with it.
    const victim = path.join(home, "victim.txt")
    fs.writeFileSync(victim, "untouched\n")
    fs.symlinkSync(victim, path.join(dir, "link.txt"))
    assert.strictEqual(bash(`cd ${dir} && session-bridge artifact save ${posted.sha256} -o link.txt`).code, 2)
    const forced = bash(`cd ${dir} && session-bridge artifact save ${posted.sha256} -o link.txt --force`)
    assert.strictEqual(forced.code, 0, forced.stderr)
    assert.strictEqual(fs.readFileSync(victim, "utf8"), "untouched\n")
    assert.isFalse(fs.lstatSync(path.join(dir, "link.txt")).isSymbolicLink())
    assert.strictEqual(fs.readFileSync(path.join(dir, "link.txt"), "utf8"), "artifact bytes\n")
    fs.symlinkSync(path.join(home, "nowhere"), path.join(dir, "dangling.txt"))
    assert.strictEqual(bash(`cd ${dir} && session-bridge artifact save ${posted.sha256} -o dangling.txt`).code, 2)
    assert.isFalse(fs.existsSync(path.join(home, "nowhere")))
    assert.deepStrictEqual(
      fs.readdirSync(dir).filter((n) => n.endsWith(".tmp")),
      []
    )
  }, 60_000)
})
