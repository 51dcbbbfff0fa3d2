/** `session-bridge ui` as a real process: prints its address, serves, refuses bad ports, stops on SIGTERM. */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { ensureBuilt } from "../support/build.js"
import { serverEnv } from "../support/mcpClient.js"
import { request } from "./http.js"

describe("session-bridge ui (process)", () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-ui-cli-"))
  let bin = ""
  beforeAll(async () => {
    bin = await ensureBuilt()
  }, 180_000)
  afterAll(() => fs.rmSync(home, { recursive: true, force: true }))

  it("prints one JSON line with a loopback URL, serves it, and exits on SIGTERM", async () => {
    const child = spawn(process.execPath, [bin, "ui", "--no-open", "--json"], {
      env: serverEnv({ home }),
      cwd: home,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stderr.on("data", (c: Buffer) => void (err += c.toString()))
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString()
        if (out.includes("\n")) resolve(out.split("\n")[0]!)
      })
      child.on("exit", (code) => reject(new Error(`exited ${code}: ${err}`)))
    })
    const info = JSON.parse(line)
    expect(info.host).toBe("127.0.0.1")
    expect(info.url).toBe(`http://127.0.0.1:${info.port}/?token=${info.token}`)
    const page = await request(info.port, `/?token=${info.token}`)
    expect(page.status).toBe(200)
    expect(page.body).toContain("<title>session-bridge</title>")
    expect((await request(info.port, "/")).status).toBe(403)
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
    child.kill("SIGTERM")
    expect(await exited).toBe(130)
    expect(out.trim().split("\n")).toHaveLength(1)
  }, 60_000)

  it("rejects a port out of range with INVALID_ARGUMENT and exit code 2 (a usage error)", () => {
    const run = spawnSync(process.execPath, [bin, "ui", "--no-open", "--port", "70000"], {
      env: serverEnv({ home }),
      encoding: "utf8",
      timeout: 30_000
    })
    expect(run.status).toBe(2)
    expect(run.stderr).toContain("error INVALID_ARGUMENT: --port must be 0-65535")
    expect(run.stdout).toBe("")
  }, 60_000)

  it("is listed in the grouped help", () => {
    const run = spawnSync(process.execPath, [bin, "--help"], {
      env: serverEnv({ home }),
      encoding: "utf8",
      timeout: 30_000
    })
    expect(run.stdout).toMatch(/\bui\b.*dashboard/)
  }, 60_000)
})
