import * as http from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A stand-in for the Anthropic Messages API on 127.0.0.1: the first turn that offers `toolName` gets a call
 * of it; a turn carrying its result gets a short text answer. Every request body is kept for assertions.
 */
export const startAnthropicStub = async (toolName: string) => {
  const bodies: Array<string> = []
  const server = http.createServer((req, res) => {
    let raw = ""
    req.on("data", (d) => (raw += d))
    req.on("end", () => {
      bodies.push(raw)
      if (req.method !== "POST" || !(req.url ?? "").includes("/messages")) {
        res.writeHead(404, { "content-type": "application/json" }).end("{}")
        return
      }
      if ((req.url ?? "").includes("count_tokens")) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ input_tokens: 10 }))
        return
      }
      let body: { stream?: boolean; model?: string; tools?: Array<{ name: string }>; messages?: Array<unknown> } = {}
      try {
        body = JSON.parse(raw)
      } catch {
        // keep the empty body
      }
      const offersTool = (body.tools ?? []).some((t) => t.name === toolName)
      const hasResult = raw.includes('"tool_result"')
      const content =
        offersTool && !hasResult
          ? [{ type: "tool_use", id: "toolu_stub_1", name: toolName, input: {} }]
          : [{ type: "text", text: "OK from stub" }]
      const message = {
        id: `msg_stub_${bodies.length}`,
        type: "message",
        role: "assistant",
        model: body.model ?? "stub",
        content,
        stop_reason: content[0]!.type === "tool_use" ? "tool_use" : "end_turn",
        stop_sequence: null,
        usage: { input_tokens: 10, output_tokens: 5 }
      }
      if (body.stream !== true) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(message))
        return
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
      const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`)
      send("message_start", { type: "message_start", message: { ...message, content: [], stop_reason: null } })
      content.forEach((block, index) => {
        if (block.type === "tool_use") {
          send("content_block_start", { type: "content_block_start", index, content_block: { ...block, input: {} } })
          send("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: "{}" }
          })
        } else {
          send("content_block_start", { type: "content_block_start", index, content_block: { type: "text", text: "" } })
          send("content_block_delta", {
            type: "content_block_delta",
            index,
            delta: { type: "text_delta", text: (block as { text: string }).text }
          })
        }
        send("content_block_stop", { type: "content_block_stop", index })
      })
      send("message_delta", {
        type: "message_delta",
        delta: { stop_reason: message.stop_reason, stop_sequence: null },
        usage: { output_tokens: 5 }
      })
      send("message_stop", { type: "message_stop" })
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** A stand-in for the OpenAI Responses API (Codex's wire protocol): every turn answers with one text message. */
export const startResponsesStub = async () => {
  const bodies: Array<string> = []
  const server = http.createServer((req, res) => {
    let raw = ""
    req.on("data", (d) => (raw += d))
    req.on("end", () => {
      bodies.push(raw)
      if (req.method !== "POST" || !(req.url ?? "").includes("/responses")) {
        res.writeHead(404, { "content-type": "application/json" }).end("{}")
        return
      }
      const id = `resp_stub_${bodies.length}`
      const item = {
        type: "message",
        id: `msg_stub_${bodies.length}`,
        role: "assistant",
        status: "completed",
        content: [{ type: "output_text", text: "OK from stub", annotations: [] }]
      }
      const usage = {
        input_tokens: 10,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 15
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
      const send = (data: { type: string }) => res.write(`event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`)
      send({ type: "response.created", response: { id, status: "in_progress", output: [] } } as { type: string })
      send({
        type: "response.output_item.added",
        output_index: 0,
        item: { ...item, status: "in_progress", content: [] }
      } as { type: string })
      send({
        type: "response.output_text.delta",
        output_index: 0,
        content_index: 0,
        item_id: item.id,
        delta: "OK from stub"
      } as { type: string })
      send({ type: "response.output_item.done", output_index: 0, item } as { type: string })
      send({ type: "response.completed", response: { id, status: "completed", output: [item], usage } } as {
        type: string
      })
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** A stand-in for an OpenAI-compatible chat completions endpoint (streamed or not): always "OK from stub". */
export const startChatStub = async () => {
  const bodies: Array<string> = []
  const server = http.createServer((req, res) => {
    let raw = ""
    req.on("data", (d) => (raw += d))
    req.on("end", () => {
      bodies.push(raw)
      if (req.method !== "POST" || !(req.url ?? "").includes("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end("{}")
        return
      }
      let stream = false
      try {
        stream = JSON.parse(raw).stream === true
      } catch {
        // not JSON: answer plainly
      }
      const base = { id: `chatcmpl-${bodies.length}`, created: 1_800_000_000, model: "stub-model" }
      const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 }
      if (!stream) {
        res.writeHead(200, { "content-type": "application/json" }).end(
          JSON.stringify({
            ...base,
            object: "chat.completion",
            choices: [{ index: 0, message: { role: "assistant", content: "OK from stub" }, finish_reason: "stop" }],
            usage
          })
        )
        return
      }
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" })
      const chunk = (choice: unknown, extra: object = {}) =>
        res.write(
          `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices: [choice], ...extra })}\n\n`
        )
      chunk({ index: 0, delta: { role: "assistant", content: "OK from stub" }, finish_reason: null })
      chunk({ index: 0, delta: {}, finish_reason: "stop" }, { usage })
      res.write("data: [DONE]\n\n")
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** A stand-in for the Gemini API (generateContent, streamed or not; countTokens): always "OK from stub". */
export const startGeminiStub = async () => {
  const bodies: Array<string> = []
  const server = http.createServer((req, res) => {
    let raw = ""
    req.on("data", (d) => (raw += d))
    req.on("end", () => {
      bodies.push(raw)
      const url = req.url ?? ""
      // Gemini CLI first asks a small model to route the prompt and wants JSON back; anything else retries with backoff.
      const text = raw.includes("complexity_score")
        ? JSON.stringify({ complexity_reasoning: "stub", complexity_score: 10 })
        : raw.includes("model_choice")
          ? JSON.stringify({ reasoning: "stub", model_choice: "flash" })
          : "OK from stub"
      const reply = {
        candidates: [{ content: { parts: [{ text }], role: "model" }, finishReason: "STOP", index: 0 }],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
        modelVersion: "stub-model"
      }
      if (url.includes(":countTokens"))
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ totalTokens: 10 }))
      else if (url.includes(":streamGenerateContent")) {
        res.writeHead(200, { "content-type": "text/event-stream" })
        res.end(`data: ${JSON.stringify(reply)}\r\n\r\n`)
      } else if (url.includes(":generateContent"))
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(reply))
      else res.writeHead(404, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}
