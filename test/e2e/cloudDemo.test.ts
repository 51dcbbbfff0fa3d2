import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { assert, beforeAll, describe, it } from "@effect/vitest"
import { BIN, ensureBuilt, REPO } from "../support/build.js"
import { runProcess } from "../support/cliRun.js"
import { serverEnv, tempHome } from "../support/mcpClient.js"

/*
 * `session-bridge demo --cloud` from dist/: a relay, two homes with their daemons and a session each, run to the
 * end (every step printed, exit 0), and stopped with Ctrl-C part-way (no relay or daemon left, nothing left on
 * disk).
 */

const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

const pidsIn = (text: string) => [...text.matchAll(/\(pid (\d+)\)/g)].map((m) => Number(m[1]))
const dirIn = (text: string) => /Temporary directory: (\S+)/.exec(text)?.[1]

describe("demo --cloud", () => {
  beforeAll(async () => {
    await ensureBuilt()
  }, 120_000)

  it("runs every step across two homes, then stops every process and removes its directory", async () => {
    const home = tempHome("sb-cloud-demo-")
    const ran = await runProcess(["demo", "--cloud"], { env: serverEnv({ home }), cwd: REPO })
    assert.strictEqual(ran.code, 0, ran.stderr)
    const out = ran.stdout
    const steps = [
      /1\. A relay: .*\n {3}listening on http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/,
      /alice: cloud register → account acct_\w+/,
      /bob: cloud register → account acct_\w+/,
      /alice: contact invite → sb1-[0-9A-Z]{5}(-[0-9A-Z]{1,5}){5} /,
      /bob: contact add → alice, pending; safety number (\d{5} \d{5} \d{5} \d{5})/,
      /alice: contact accept bob → active; safety number \d{5} \d{5} \d{5} \d{5}/,
      /alice: session-bridge daemon \(pid \d+\)\n {3}bob: session-bridge daemon \(pid \d+\)/,
      /dev: bridge_send_message to contact bob, label api → \w+…, queued/,
      /<session-bridge-inbox>[\s\S]*subject: Plan for the config parser[\s\S]*origin: remote, from alice on another machine[\s\S]*\| Here is the plan[\s\S]*<\/session-bridge-inbox>/,
      /api: bridge_read_message → "Plan for the config parser" from alice\/dev \(remote\)/,
      /api: bridge_get_artifact → 57 bytes; sha256 recomputed and verified/,
      /dev: bridge_wait_for_message → "Re: Plan for the config parser" from bob\/api/,
      /bob: contact revoke alice → revoked \(relay: revoked\)/,
      /dev: bridge_send_message to contact bob → refused: CONTACT_REVOKED/,
      /Cloud demo complete/
    ]
    let rest = out
    for (const step of steps) {
      const m = step.exec(rest)
      assert.isNotNull(m, `missing, in order: ${step}\n${out}`)
      rest = rest.slice(m!.index + m![0].length)
    }
    const numbers = [...out.matchAll(/safety number (\d{5} \d{5} \d{5} \d{5})/g)].map((m) => m[1])
    assert.strictEqual(numbers.length, 2)
    assert.strictEqual(numbers[0], numbers[1])
    const pids = pidsIn(out)
    assert.lengthOf(pids, 3, "the relay and two daemons")
    for (const pid of pids) assert.isFalse(alive(pid), `process ${pid} is still running`)
    const dir = dirIn(out)!
    assert.include(out, `Removed ${dir}.`)
    assert.isFalse(fs.existsSync(dir))
    fs.rmSync(home, { recursive: true, force: true })
  }, 240_000)

  it("on Ctrl-C part-way, stops the relay and the daemons it started and removes its directory", async () => {
    const home = tempHome("sb-cloud-demo-")
    const child = spawn(process.execPath, [BIN, "demo", "--cloud"], {
      env: serverEnv({ home }),
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    child.stdout!.on("data", (c: Buffer) => (out += c.toString("utf8")))
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    const until = Date.now() + 120_000
    while (!/bob: session-bridge daemon \(pid \d+\)/.test(out)) {
      if (Date.now() > until || child.exitCode !== null) throw new Error(`the daemons never started:\n${out}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    child.kill("SIGINT")
    const code = await exited
    assert.notStrictEqual(code, 0)
    const pids = pidsIn(out)
    assert.lengthOf(pids, 3, "the relay and two daemons")
    for (const pid of pids) assert.isFalse(alive(pid), `process ${pid} is still running`)
    assert.isFalse(fs.existsSync(dirIn(out)!))
    fs.rmSync(home, { recursive: true, force: true })
  }, 180_000)
})
