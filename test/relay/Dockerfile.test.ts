import { afterAll, assert, describe, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { REPO } from "../support/build.js"
import { call, type Relay, startRelay, stopRelay, tempDir } from "./relayProcess.js"

/** The image's ENV, ENTRYPOINT/CMD and HEALTHCHECK, read from Dockerfile.relay's final stage. */
const parseDockerfile = () => {
  const text = fs.readFileSync(path.join(REPO, "Dockerfile.relay"), "utf8").replace(/\\\n/g, " ")
  const stages = text.split(/^FROM /m)
  const final = stages[stages.length - 1] ?? ""
  const env: Record<string, string> = {}
  let entrypoint: Array<string> = []
  let cmd: Array<string> = []
  let healthcheck: Array<string> = []
  let workdir = "/"
  const volumes: Array<string> = []
  let user = "root"
  for (const line of final.split("\n")) {
    const [instruction, ...rest] = line.trim().split(/\s+/)
    const args = line
      .trim()
      .slice((instruction ?? "").length)
      .trim()
    if (instruction === "ENV") for (const pair of rest) env[pair.split("=")[0]!] = pair.split("=").slice(1).join("=")
    if (instruction === "ENTRYPOINT") entrypoint = JSON.parse(args)
    if (instruction === "CMD") cmd = JSON.parse(args)
    if (instruction === "WORKDIR") workdir = args
    if (instruction === "VOLUME") volumes.push(args)
    if (instruction === "USER") user = args
    if (instruction === "HEALTHCHECK") healthcheck = JSON.parse(args.slice(args.indexOf("CMD") + 3).trim())
  }
  return { env, command: [...entrypoint, ...cmd], healthcheck, workdir, volumes, user, stages: stages.length - 1 }
}

describe("Dockerfile.relay", () => {
  let relay: Relay | undefined
  afterAll(async () => {
    if (relay) await stopRelay(relay)
  })

  it("is multi-stage on node:20-bookworm-slim, non-root, with /data as a volume", () => {
    const image = parseDockerfile()
    const text = fs.readFileSync(path.join(REPO, "Dockerfile.relay"), "utf8")
    assert.strictEqual(image.stages, 2)
    assert.strictEqual((text.match(/^FROM node:20-bookworm-slim/gm) ?? []).length, 2)
    assert.match(text, /python3 make g\+\+/)
    // The final stage gets only the relay's run-time packages (package.json's peer dependencies), installed apart.
    assert.match(text, /peerDependencies/)
    assert.match(text, /COPY --from=build \/runtime\/node_modules \.\/node_modules/)
    assert.notStrictEqual(image.user, "root")
    assert.deepStrictEqual(image.volumes, ["/data"])
    assert.match(text, /^EXPOSE 8788$/m)
    assert.strictEqual(image.env["SESSION_BRIDGE_RELAY_DB"], "/data/relay.db")
    assert.strictEqual(image.env["SESSION_BRIDGE_RELAY_HOST"], "0.0.0.0")
    assert.deepStrictEqual(image.command, ["node", "dist/relay/bin.js"])
  })

  it("its command, env and paths run outside Docker: healthy, and a registration code made and printed", async () => {
    const image = parseDockerfile()
    const data = tempDir("sb-relay-data-")
    // /data stands in for the volume; the port is the only change (0: a free one, so parallel runs never collide).
    const env = Object.fromEntries(Object.entries(image.env).map(([k, v]) => [k, v.replaceAll("/data", data)]))
    const [program, ...args] = image.command
    assert.strictEqual(program, "node")
    relay = await startRelay({ home: data, command: args, env: { ...env, SESSION_BRIDGE_RELAY_PORT: "0" } })
    assert.strictEqual(image.workdir, "/app")
    const health = await call(relay.url, "GET", "/healthz")
    assert.strictEqual(health.status, 200)
    for (let i = 0; i < 50 && !relay.stderr().includes("registration_code_generated"); i++) {
      await new Promise((r) => setTimeout(r, 100))
    }
    const notice = relay
      .stderr()
      .split("\n")
      .find((l) => l.includes('"event":"registration_code_generated"'))
    assert.isDefined(notice)
    const code = JSON.parse(notice!).code as string
    assert.strictEqual(fs.readFileSync(path.join(data, "registration-code"), "utf8").trim(), code)
    assert.isTrue(fs.existsSync(path.join(data, "relay.db")))
    assert.strictEqual((await call(relay.url, "GET", "/v1/info")).body.registration, "code")
    // The HEALTHCHECK command itself, pointed at the bound port.
    const port = new URL(relay.url).port
    const [hcProgram, ...hcArgs] = image.healthcheck
    assert.strictEqual(hcProgram, "node")
    const probe = spawnSync(process.execPath, hcArgs, {
      env: { ...process.env, SESSION_BRIDGE_RELAY_PORT: port },
      timeout: 10_000
    })
    assert.strictEqual(probe.status, 0, probe.stderr.toString())
  })
})
