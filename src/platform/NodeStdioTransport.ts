import type { Readable, Writable } from "node:stream"
import {
  asJsonRpcMessage,
  INVALID_REQUEST as INVALID_REQUEST_CODE,
  type JsonRpcMessage,
  type JsonRpcTransport,
  PARSE_ERROR
} from "../domain/JsonRpc.js"

/** What is known about a line that was too long to read: its JSON-RPC id (when found) and its first bytes. */
export interface OversizedLine {
  readonly id: string | number | undefined
  readonly head: string
  readonly bytes: number
}

export interface NodeStdioTransportOptions {
  /** The longest line (one JSON-RPC message) accepted; longer ones are skipped, not buffered. */
  readonly maxLineBytes: number
  /** The reply to send for a skipped line (e.g. an error result for its id); nothing is sent when undefined. */
  readonly onOversized?: (line: OversizedLine) => JsonRpcMessage | undefined
}

const EDGE = 512
const ID_AT_END = /"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")\s*\}\s*$/
const ID_AT_START = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d+|"(?:[^"\\]|\\.)*")/

const findId = (head: string, tail: string): string | number | undefined => {
  const raw = ID_AT_END.exec(tail)?.[1] ?? ID_AT_START.exec(head)?.[1]
  if (raw === undefined) return undefined
  try {
    const id: unknown = JSON.parse(raw)
    return typeof id === "string" || typeof id === "number" ? id : undefined
  } catch {
    return undefined
  }
}

/** The JSON-RPC 2.0 error reply to a line that is not a message: its id when one can be read, else null. */
interface InvalidLineReply {
  readonly jsonrpc: "2.0"
  readonly id: string | number | null
  readonly error: { readonly code: number; readonly message: string }
}

const INVALID_REQUEST = "Invalid Request: not a JSON-RPC 2.0 request, notification or response"

const requestId = (json: unknown): string | number | null => {
  if (typeof json !== "object" || json === null || !("id" in json)) return null
  return typeof json.id === "string" || typeof json.id === "number" ? json.id : null
}

/**
 * Newline-delimited JSON-RPC over a pair of Node streams (the MCP stdio transport), with three differences from
 * the SDK's StdioServerTransport: stdin EOF is reported (`inputEnded`), so the server can exit when the host goes away;
 * a long line is assembled once instead of re-copying the buffer on every chunk; a line over the limit is
 * skipped, answered through `onOversized`, and does not close the connection; and a line that is not JSON
 * (-32700) or not JSON-RPC (-32600) is answered as JSON-RPC 2.0 says.
 */
export class NodeStdioTransport implements JsonRpcTransport {
  onclose?: (() => void) | undefined
  onerror?: ((error: Error) => void) | undefined
  onmessage?: ((message: JsonRpcMessage) => void) | undefined

  private pending: Array<Buffer> = []
  private pendingBytes = 0
  /** Set while skipping an oversized line: its size so far, its first and latest bytes. */
  private skipping: { bytes: number; head: string; tail: Buffer } | undefined
  private closed = false
  private markEnded: () => void = () => undefined
  /**
   * Resolves when stdin reaches EOF or closes: the host is gone. The transport stays open for the replies still
   * due (the caller closes it once calls in flight are done).
   */
  readonly inputEnded: Promise<void> = new Promise((resolve) => (this.markEnded = resolve))

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly options: NodeStdioTransportOptions
  ) {}

  private readonly onData = (chunk: Buffer): void => {
    let start = 0
    for (;;) {
      const newline = chunk.indexOf(10, start)
      if (newline === -1) {
        this.hold(chunk.subarray(start))
        return
      }
      this.hold(chunk.subarray(start, newline))
      this.endLine()
      start = newline + 1
    }
  }

  private hold(part: Buffer): void {
    if (part.length === 0) return
    if (this.skipping !== undefined) {
      this.skipping.bytes += part.length
      this.skipping.tail = Buffer.concat([this.skipping.tail, part]).subarray(-EDGE)
      return
    }
    if (this.pendingBytes + part.length <= this.options.maxLineBytes) {
      this.pending.push(part)
      this.pendingBytes += part.length
      return
    }
    const sofar = Buffer.concat([...this.pending, part])
    this.skipping = {
      bytes: sofar.length,
      head: sofar.subarray(0, EDGE).toString("utf8"),
      tail: sofar.subarray(-EDGE)
    }
    this.pending = []
    this.pendingBytes = 0
  }

  private endLine(): void {
    const skipped = this.skipping
    if (skipped !== undefined) {
      this.skipping = undefined
      const id = findId(skipped.head, skipped.tail.toString("utf8"))
      this.onerror?.(
        new Error(`skipped a ${skipped.bytes}-byte message; the limit is ${this.options.maxLineBytes} bytes`)
      )
      const reply = this.options.onOversized?.({ id, head: skipped.head, bytes: skipped.bytes })
      if (reply !== undefined) void this.send(reply)
      return
    }
    const line = Buffer.concat(this.pending, this.pendingBytes).toString("utf8").replace(/\r$/, "")
    this.pending = []
    this.pendingBytes = 0
    if (line.trim() === "") return
    let json: unknown
    try {
      json = JSON.parse(line)
    } catch (error) {
      this.onerror?.(error instanceof Error ? error : new Error(String(error)))
      void this.write({
        jsonrpc: "2.0",
        id: null,
        error: { code: PARSE_ERROR, message: "Parse error: the line is not JSON" }
      })
      return
    }
    const message = asJsonRpcMessage(json)
    if (message === undefined) {
      this.onerror?.(new Error(`not a JSON-RPC 2.0 message: ${line.slice(0, 200)}`))
      void this.write({
        jsonrpc: "2.0",
        id: requestId(json),
        error: { code: INVALID_REQUEST_CODE, message: INVALID_REQUEST }
      })
      return
    }
    this.onmessage?.(message)
  }

  private readonly onError = (error: Error): void => this.onerror?.(error)
  /** stdout failed (EPIPE: the host closed its end): nothing can be answered any more. */
  private readonly onOutputError = (error: Error): void => {
    this.onerror?.(error)
    void this.close()
  }
  private readonly onEnd = (): void => this.markEnded()

  async start(): Promise<void> {
    this.input.on("data", this.onData)
    this.input.on("error", this.onError)
    this.input.once("end", this.onEnd)
    this.input.once("close", this.onEnd)
    this.output.on("error", this.onOutputError)
  }

  send(message: JsonRpcMessage): Promise<void> {
    return this.write(message)
  }

  /** Writes one line; also the replies (`id: null`) that the SDK's message type cannot express. */
  private write(message: JsonRpcMessage | InvalidLineReply): Promise<void> {
    return new Promise((resolve) => {
      if (this.closed || this.output.destroyed) return resolve()
      if (this.output.write(JSON.stringify(message) + "\n")) resolve()
      else this.output.once("drain", resolve)
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.input.off("data", this.onData)
    this.input.off("error", this.onError)
    this.input.off("end", this.onEnd)
    this.input.off("close", this.onEnd)
    this.input.pause()
    // Keep swallowing late write errors on stdout after close.
    this.output.off("error", this.onOutputError)
    this.output.on("error", () => undefined)
    this.pending = []
    this.markEnded()
    this.onclose?.()
  }
}
