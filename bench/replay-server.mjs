// A stdio MCP server on the bare MCP SDK that does no work: it answers each tools/call with the result recorded for
// the same tool and arguments (a JSON file named by BENCH_REPLAY_ANSWERS: { "<tool> <arguments JSON>": result }).
// The search bench times it with the same client and calls as `session-bridge mcp`, so the figure is what this
// machine, the SDK client and the pipes cost at that moment, with nothing of the bridge in it.
import * as fs from "node:fs"
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js"

const answers = JSON.parse(fs.readFileSync(process.env.BENCH_REPLAY_ANSWERS, "utf8"))
const server = new Server({ name: "replay", version: "1.0.0" }, { capabilities: { tools: {} } })
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: [] }))
server.setRequestHandler(CallToolRequestSchema, async (request) => {
  const answer = answers[`${request.params.name} ${JSON.stringify(request.params.arguments ?? {})}`]
  if (answer === undefined) return { content: [{ type: "text", text: '{"code":"NOT_RECORDED"}' }], isError: true }
  return answer
})
await server.connect(new StdioServerTransport())
