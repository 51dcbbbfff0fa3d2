import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"
import { REPO, BIN } from "../support/build.js"
import { runBin } from "../support/cliRun.js"
import { serverEnv } from "../support/mcpClient.js"

/*
 * Real cloud processes for the end-to-end tests: a `session-bridge daemon` on a home, and the small waiting and CLI
 * helpers the cloud scenarios share (test/e2e/cloudDaemon.test.ts, test/e2e/cloudExactlyOnce.test.ts).
 */

export interface Daemon {
  readonly child: ChildProcess
  readonly stderr: () => string
  readonly exited: Promise<number | null>
}

/** `session-bridge daemon` on `home` with a short presence interval; `env` is added to the home's environment. */
export const startDaemon = (home: string, env: Record<string, string> = {}): Daemon => {
  const child = spawn(process.execPath, [BIN, "daemon", "--presence-interval-ms", "500"], {
    env: serverEnv({ home, env }),
    cwd: REPO,
    stdio: ["ignore", "ignore", "pipe"]
  })
  let stderr = ""
  child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  return { child, stderr: () => stderr, exited }
}

export const stopDaemon = async (d: Daemon, signal: NodeJS.Signals = "SIGTERM") => {
  if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill(signal)
  return d.exited
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export const eventually = async <A>(what: string, check: () => Promise<A | undefined>, ms = 10_000): Promise<A> => {
  const until = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

/** A CLI command with `--json` that must exit 0, parsed. */
export const json = async (home: string, args: ReadonlyArray<string>) => {
  const ran = await runBin(home, [...args, "--json"])
  if (ran.code !== 0) throw new Error(`${args.join(" ")} exited ${ran.code}: ${ran.stderr}`)
  return JSON.parse(ran.stdout)
}

/** `tail-inbox --all --json` of one session, one entry per message. */
export const inbox = async (home: string, label: string): Promise<Array<any>> => {
  const ran = await runBin(home, ["tail-inbox", "--as", label, "--all", "--json"])
  if (ran.code !== 0) throw new Error(`tail-inbox exited ${ran.code}: ${ran.stderr}`)
  return ran.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l))
}

/** A loopback port free right now (so a relay can be restarted on the same URL). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** A small seeded generator (mulberry32): the same seed replays the same schedule. */
export const seededRandom = (seed: number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
