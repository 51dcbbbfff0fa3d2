import { defineHost } from "./Host.js"

/**
 * Cline CLI (verified with 3.0.65). MCP servers and hooks get `CLINE_CONNECTOR_CLI_LAUNCH`; hooks also get
 * `CLINE_BUILD_ENV`.
 */
export const clineHost = defineHost({
  id: "cline",
  aliases: [],
  name: "Cline CLI",
  tier: 1,
  clientNames: ["@cline/core"],
  envMarkers: [{ name: "CLINE_CONNECTOR_CLI_LAUNCH" }, { name: "CLINE_BUILD_ENV" }]
})
