import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { BIN, ensureBuilt } from "../support/build.js"
import { type Ran, runProcess, scratchDirs } from "../support/cliRun.js"

const scratch = scratchDirs("sb-doctor-")

/** A fresh HOME with nothing in it (no host CLI ever used), and its own bridge home under it. */
const freshHome = (): string => scratch.make()

/** The test runner's environment without anything that points at a bridge home or a host CLI. */
const plainEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !/^(SESSION_BRIDGE_|CLAUDE|CODEX|GEMINI|OPENCODE|CURSOR|CLINE|XDG_CONFIG_HOME)/.test(k))
      env[k] = v
  return env
}

/** Runs `session-bridge <args>` as a first-hour user would: HOME is the scratch home, stdio piped. */
const run = (home: string, args: ReadonlyArray<string>): Promise<Ran> =>
  runProcess(args, { env: { ...plainEnv(), HOME: home }, cwd: home })

/** Every path under `dir` (folders end in /), except the bridge home's insides. */
const tree = (dir: string): Array<string> => {
  const out: Array<string> = []
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      const rel = path.relative(dir, p)
      if (e.isDirectory()) {
        out.push(rel + "/")
        if (rel !== ".session-bridge") walk(p)
      } else out.push(rel)
    }
  }
  walk(dir)
  return out.sort()
}

describe("doctor, detection, purge and uninstall on a fresh HOME", () => {
  beforeAll(async () => {
    await ensureBuilt()
  }, 180_000)

  afterAll(() => {
    scratch.removeAll()
  })

  it("doctor with nothing installed says no host is set up, how to fix it, and exits 1", async () => {
    const home = freshHome()
    const r = await run(home, ["doctor"])
    assert.strictEqual(r.code, 1, r.stdout)
    assert.match(r.stdout, /FAIL\s+setup\s+no host CLI is set up/)
    assert.match(r.stdout, /session-bridge init/)
    assert.notMatch(r.stdout, /No problems found/)
    // Not a terminal: no progress lines on stderr.
    assert.strictEqual(r.stderr, "")
    const json = JSON.parse((await run(home, ["doctor", "--json"])).stdout) as {
      ok: boolean
      checks: Array<{ area: string; level: string }>
    }
    assert.isFalse(json.ok)
    assert.isTrue(json.checks.some((c) => c.area === "setup" && c.level === "error"))
  }, 60_000)

  it("list-providers on a pipe prints nothing on stderr and creates no host folder", async () => {
    const home = freshHome()
    const r = await run(home, ["list-providers"])
    assert.strictEqual(r.code, 0, r.stderr)
    assert.strictEqual(r.stderr, "")
    assert.deepStrictEqual(
      tree(home).filter((p) => p !== ".session-bridge/"),
      []
    )
  }, 60_000)

  it.skipIf(spawnSync("script", ["--version"]).status !== 0)(
    "list-providers shows progress on stderr when stderr is a terminal",
    () => {
      const home = freshHome()
      // script(1) gives the command a terminal; stdout goes to /dev/null, so only stderr is captured.
      const ran = spawnSync(
        "script",
        ["-qec", `"${process.execPath}" "${BIN}" list-providers 2>&1 >/dev/null`, "/dev/null"],
        {
          env: { ...process.env, HOME: home },
          encoding: "utf8",
          timeout: 60_000
        }
      )
      assert.match(ran.stdout, /… checking 7 host CLIs/)
    },
    60_000
  )

  it("doctor runs each installed host's own hook command: a bad label and a moved binary are reported", async () => {
    const home = freshHome()
    assert.strictEqual(
      (await run(home, ["init", "--provider", "claude-code", "--provider", "codex", "--label", "alice"])).code,
      0
    )
    const good = await run(home, ["doctor"])
    assert.strictEqual(good.code, 0, good.stdout)
    assert.match(good.stdout, /ok\s+claude-code\s+hook round trip with the installed command/)
    assert.match(good.stdout, /ok\s+codex\s+hook round trip with the installed command/)

    const settings = path.join(home, ".claude", "settings.json")
    fs.writeFileSync(
      settings,
      fs.readFileSync(settings, "utf8").replaceAll("SESSION_BRIDGE_LABEL=alice", "SESSION_BRIDGE_LABEL=a/b")
    )
    const hooks = path.join(home, ".codex", "hooks.json")
    fs.writeFileSync(hooks, fs.readFileSync(hooks, "utf8").replaceAll(BIN, "/moved/away/dist/bin.js"))
    const bad = await run(home, ["doctor"])
    assert.strictEqual(bad.code, 1, bad.stdout)
    assert.match(bad.stdout, /FAIL\s+claude-code\s+the hook ignores the label "a\/b"/)
    assert.match(bad.stdout, /init --provider claude-code --label <name>/)
    assert.match(bad.stdout, /FAIL\s+codex\s+the hook in .*hooks\.json failed \(exit 1\): .*Cannot find module/)
    assert.match(bad.stdout, /Rerun `session-bridge init --provider codex`/)
  }, 90_000)

  it("init --all then uninstall --all leaves the HOME as it was: no folder, no {} file; a later bare init finds no host", async () => {
    const home = freshHome()
    fs.mkdirSync(path.join(home, ".codex"))
    fs.writeFileSync(path.join(home, ".codex", "config.toml"), 'model = "o3"\n')
    const before = tree(home)
    assert.strictEqual((await run(home, ["init", "--all"])).code, 0)
    assert.include(tree(home), ".gemini/")
    // A folder init created that the user has since put a file in is kept, with that file.
    fs.writeFileSync(path.join(home, ".cursor", "notes.txt"), "mine")
    const un = await run(home, ["uninstall", "--all"])
    assert.strictEqual(un.code, 0, un.stderr)
    assert.match(un.stdout, /removed folder\s+~\/\.gemini/)
    assert.deepStrictEqual(
      tree(home).filter((p) => !p.startsWith(".session-bridge/")),
      [...before, ".cursor/", ".cursor/notes.txt"].sort()
    )
    assert.strictEqual(fs.readFileSync(path.join(home, ".codex", "config.toml"), "utf8"), 'model = "o3"\n')
    const bare = await run(home, ["init"])
    assert.match(bare.stdout + bare.stderr, /Found host configs for: codex, cursor\n/)
    assert.isFalse(fs.existsSync(path.join(home, ".gemini")))
    assert.isFalse(fs.existsSync(path.join(home, ".config")))
  }, 90_000)

  it("purge --yes keeps the install records, so uninstall --all afterwards still undoes init exactly", async () => {
    const home = freshHome()
    assert.strictEqual((await run(home, ["init", "--provider", "gemini-cli", "--provider", "opencode"])).code, 0)
    const purge = await run(home, ["purge", "--yes"])
    assert.strictEqual(purge.code, 0, purge.stderr)
    assert.match(purge.stdout, /Kept the install records/)
    assert.match(purge.stdout, /host CLI configs are untouched/)
    assert.isTrue(fs.existsSync(path.join(home, ".session-bridge", "installs", "gemini-cli.json")))
    assert.strictEqual((await run(home, ["uninstall", "--all"])).code, 0)
    assert.deepStrictEqual(
      tree(home).filter((p) => !p.startsWith(".session-bridge")),
      []
    )
  }, 90_000)
})
