import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"
import { BIN, REPO } from "./build.js"
import { runBin } from "./cliRun.js"
import { type McpHandle, serverEnv } from "./mcpClient.js"

/*
 * The cloud layer over real processes, for end-to-end tests: a `session-bridge daemon` per home, the `cloud` and
 * `contact` commands with --json, a session's inbox as `tail-inbox` prints it, and polling until something holds.
 */

export interface Daemon {
  readonly child: ChildProcess
  readonly stderr: () => string
  readonly exited: Promise<number | null>
}

/** `session-bridge daemon` on `home`, presence shortened to 500 ms (the test-only --presence-interval-ms). */
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

/** Runs a command with --json on `home`; throws with its stderr unless it exits 0. */
export const cliJson = async (home: string, args: ReadonlyArray<string>) => {
  const ran = await runBin(home, [...args, "--json"])
  if (ran.code !== 0) throw new Error(`${args.join(" ")} exited ${ran.code}: ${ran.stderr}`)
  return JSON.parse(ran.stdout)
}

/** Every inbox entry of the session labelled `label` on `home`, read or not. */
export const inboxOf = async (home: string, label: string): Promise<Array<any>> => {
  const ran = await runBin(home, ["tail-inbox", "--as", label, "--all", "--json"])
  if (ran.code !== 0) throw new Error(`tail-inbox exited ${ran.code}: ${ran.stderr}`)
  return ran.stdout
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l))
}

/** Registers `alice` and `bob` on the relay at `url` and makes them active contacts through the CLI. */
export const pairHomes = async (url: string, alice: string, bob: string) => {
  await cliJson(alice, ["cloud", "register", "--relay", url, "--handle", "alice"])
  await cliJson(bob, ["cloud", "register", "--relay", url, "--handle", "bob"])
  const invite = await cliJson(alice, ["contact", "invite"])
  const added = await cliJson(bob, ["contact", "add", invite.code])
  const accepted = await cliJson(alice, ["contact", "accept", "bob"])
  return { invite, added, accepted }
}

/** An artifact's whole bytes through `bridge_get_artifact`, following `nextOffset` across replies. */
export const fetchArtifact = async (handle: McpHandle, sha256: string) => {
  const parts: Array<Buffer> = []
  let offset: number | undefined = 0
  let replies = 0
  while (offset !== undefined) {
    const got: any = await handle.ok("bridge_get_artifact", { sha256, offset, encoding: "base64" })
    parts.push(Buffer.from(got.content, "base64"))
    offset = got.nextOffset
    replies++
  }
  return { bytes: Buffer.concat(parts), replies }
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
