import { defineHost } from "./Host.js"

/** opencode (verified with 1.18.33). MCP servers, plugins' children and tools get `OPENCODE=1` and `OPENCODE_PID`. */
export const opencodeHost = defineHost({
  id: "opencode",
  aliases: [],
  name: "opencode",
  tier: 1,
  clientNames: ["opencode"],
  envMarkers: [{ name: "OPENCODE", equals: "1" }, { name: "OPENCODE_PID" }]
})
