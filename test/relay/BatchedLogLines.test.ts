import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { transformSync } from "esbuild"
import { Effect, Logger } from "effect"
import { afterEach, describe, expect, it, vi } from "vitest"
import { batchedInfoLine, batchedJsonStderrLogger } from "../../src/platform/JsonLinesLogger.js"
import * as NodeRelay from "../../src/platform/NodeRelay.js"
import { logRequest } from "../../src/relay/RequestLog.js"

const nextTurn = () => new Promise((resolve) => setImmediate(resolve))

describe("the relay's batched JSON-lines logger", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("writes the lines of one event-loop turn in one write, in order, each a JSON object", async () => {
    const writes: Array<string> = []
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk))
      return true
    })
    const logged = Effect.forEach(
      [1, 2, 3],
      (n) => Effect.logInfo("request").pipe(Effect.annotateLogs({ n, path: "/v1/inbox" })),
      { discard: true }
    ).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, batchedJsonStderrLogger)))
    Effect.runSync(logged)
    expect(writes).toEqual([])
    await nextTurn()
    expect(writes).toHaveLength(1)
    const lines = writes[0]!.split("\n")
    expect(lines.pop()).toBe("")
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { level: "info", event: "request", n: 1, path: "/v1/inbox" },
      { level: "info", event: "request", n: 2 },
      { level: "info", event: "request", n: 3 }
    ])
    // A later turn's line is its own write.
    Effect.runSync(
      Effect.logWarning("later").pipe(Effect.provide(Logger.replace(Logger.defaultLogger, batchedJsonStderrLogger)))
    )
    await nextTurn()
    expect(writes).toHaveLength(2)
    expect(JSON.parse(writes[1]!)).toMatchObject({ level: "warn", event: "later" })
  })

  it("a request line written straight into the batch is the line the logger makes, in order with its lines", async () => {
    const writes: Array<string> = []
    vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk))
      return true
    })
    const logger = Logger.replace(Logger.defaultLogger, batchedJsonStderrLogger)
    Effect.runSync(Effect.logInfo("first").pipe(Effect.provide(logger)))
    // The relay process's request lines (NodeRelay.layerRequestLog), then the same through Effect's logger.
    Effect.runSync(
      logRequest("POST", "/v1/invites/secret-id?x=1", 201, 0).pipe(Effect.provide(NodeRelay.layerRequestLog))
    )
    Effect.runSync(logRequest("POST", "/v1/invites/secret-id?x=1", 201, 0).pipe(Effect.provide(logger)))
    batchedInfoLine({ event: "last" })
    await nextTurn()
    expect(writes).toHaveLength(1)
    const lines = writes[0]!
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(lines.map((l) => l["event"])).toEqual(["first", "request", "request", "last"])
    const [direct, logged] = [lines[1]!, lines[2]!]
    expect(Object.keys(direct).sort()).toEqual(Object.keys(logged).sort())
    expect({ ...direct, ts: "", ms: 0 }).toEqual({ ...logged, ts: "", ms: 0 })
    expect(direct).toMatchObject({ level: "info", method: "POST", path: "/v1/invites/:id", status: 201 })
    expect(typeof direct["ts"]).toBe("string")
    expect(writes[0]).not.toContain("secret-id")
  })

  it("a line logged just before the process exits is still written", () => {
    // A process that logs and exits in the same turn: the line is written on its way out. The logger's module is
    // compiled beside the repository's node_modules so its imports resolve.
    const repo = new URL("../..", import.meta.url).pathname
    const source = fs.readFileSync(path.join(repo, "src/platform/JsonLinesLogger.ts"), "utf8")
    fs.mkdirSync(path.join(repo, ".cache"), { recursive: true })
    const compiled = path.join(repo, ".cache", `batched-logger-${process.pid}.mjs`)
    fs.writeFileSync(compiled, transformSync(source, { loader: "ts", format: "esm" }).code)
    const script = `
      const { Effect, Logger } = await import("effect")
      const { batchedJsonStderrLogger } = await import(${JSON.stringify(compiled)})
      Effect.runSync(Effect.logError("relay_failed").pipe(Effect.annotateLogs({ code: "X" }), Effect.provide(Logger.replace(Logger.defaultLogger, batchedJsonStderrLogger))))
      process.exit(3)
    `
    const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", cwd: repo })
    fs.rmSync(compiled, { force: true })
    expect(run.status).toBe(3)
    expect(JSON.parse(run.stderr.trim())).toMatchObject({ level: "error", event: "relay_failed", code: "X" })
  })
})
