import { assert, describe, it } from "@effect/vitest"
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"
import { PassThrough } from "node:stream"
import { NodeStdioTransport, type OversizedLine } from "../../src/platform/NodeStdioTransport.js"
import { oversizedReply } from "../../src/mcp/Server.js"

const setup = (maxLineBytes = 1000) => {
  const input = new PassThrough()
  const output = new PassThrough()
  const messages: Array<JSONRPCMessage> = []
  const errors: Array<string> = []
  const oversized: Array<OversizedLine> = []
  let closed = 0
  const transport = new NodeStdioTransport(input, output, {
    maxLineBytes,
    onOversized: (line) => {
      oversized.push(line)
      return oversizedReply(line)
    }
  })
  transport.onmessage = (m) => void messages.push(m)
  transport.onerror = (e) => void errors.push(e.message)
  transport.onclose = () => void closed++
  let written = ""
  output.on("data", (c: Buffer) => (written += c.toString("utf8")))
  return { input, output, transport, messages, errors, oversized, closed: () => closed, written: () => written }
}

const tick = () => new Promise((resolve) => setImmediate(resolve))
const ping = (id: number) => JSON.stringify({ jsonrpc: "2.0", id, method: "ping" })

describe("NodeStdioTransport", () => {
  it("reads messages split across chunks, several per chunk, with CRLF", async () => {
    const t = setup()
    await t.transport.start()
    const two = `${ping(1)}\r\n${ping(2)}\n`
    t.input.write(two.slice(0, 10))
    t.input.write(two.slice(10, 30))
    t.input.write(two.slice(30) + ping(3).slice(0, 5))
    t.input.write(ping(3).slice(5) + "\n\n")
    await tick()
    assert.deepStrictEqual(
      t.messages.map((m) => ("id" in m ? m.id : undefined)),
      [1, 2, 3]
    )
    assert.deepStrictEqual(t.errors, [])
  })

  it("answers a line that is not JSON-RPC (-32700 unparsable, -32600 not a message) and keeps reading", async () => {
    const t = setup()
    await t.transport.start()
    t.input.write(`not json\n{"hello":1}\n{"jsonrpc":"2.0","id":"x","method":[]}\n[]\n${ping(4)}\n`)
    await tick()
    assert.strictEqual(t.errors.length, 4)
    assert.deepStrictEqual(
      t.messages.map((m) => ("id" in m ? m.id : undefined)),
      [4]
    )
    const replies = t
      .written()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l))
    assert.deepStrictEqual(
      replies.map((r) => [r.jsonrpc, r.id, r.error.code]),
      [
        ["2.0", null, -32700],
        ["2.0", null, -32600],
        ["2.0", "x", -32600],
        ["2.0", null, -32600]
      ]
    )
  })

  it("skips an oversized line without buffering it, answers its id, and keeps reading", async () => {
    const t = setup(200)
    await t.transport.start()
    const big = JSON.stringify({
      method: "tools/call",
      params: { name: "bridge_post_artifact", arguments: { text: "x".repeat(5000) } },
      jsonrpc: "2.0",
      id: 7
    })
    for (let i = 0; i < big.length; i += 300) t.input.write(big.slice(i, i + 300))
    t.input.write(`\n${ping(8)}\n`)
    await tick()
    assert.deepStrictEqual(
      t.oversized.map((o) => [o.id, o.bytes]),
      [[7, big.length]]
    )
    assert.deepStrictEqual(
      t.messages.map((m) => ("id" in m ? m.id : undefined)),
      [8]
    )
    const reply = JSON.parse(t.written().trim())
    assert.strictEqual(reply.id, 7)
    assert.isTrue(reply.result.isError)
    assert.strictEqual(JSON.parse(reply.result.content[0].text).code, "ARTIFACT_TOO_LARGE")
  })

  it("finds the id at the start of a line too, and answers a non-tool request with a JSON-RPC error", async () => {
    const t = setup(100)
    await t.transport.start()
    t.input.write(
      JSON.stringify({ jsonrpc: "2.0", id: "abc", method: "tools/list", params: { pad: "y".repeat(500) } }) + "\n"
    )
    await tick()
    const reply = JSON.parse(t.written().trim())
    assert.strictEqual(reply.id, "abc")
    assert.strictEqual(reply.error.code, -32600)
  })

  it("closes when stdout fails (the host closed its end)", async () => {
    const t = setup()
    await t.transport.start()
    t.output.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }))
    await tick()
    assert.strictEqual(t.closed(), 1)
    assert.include(t.errors, "write EPIPE")
    await t.transport.send({ jsonrpc: "2.0", id: 9, result: {} })
  })

  it("reports stdin EOF without closing, and closes once", async () => {
    const t = setup()
    await t.transport.start()
    let ended = false
    void t.transport.inputEnded.then(() => (ended = true))
    t.input.end()
    await tick()
    await tick()
    assert.isTrue(ended)
    assert.strictEqual(t.closed(), 0)
    await t.transport.send({ jsonrpc: "2.0", id: 1, result: {} })
    await t.transport.close()
    await t.transport.close()
    assert.strictEqual(t.closed(), 1)
    assert.include(t.written(), '"id":1')
  })
})
