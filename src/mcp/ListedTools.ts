import { listedTool, type ListedTool } from "./ToolListing.js"
import { tools } from "./Tools.js"

/**
 * The tools of tools/list, generated from the tool table's Schemas. The bundle holds this module's result as a
 * JSON literal instead (scripts/build.mjs computes it at build time), so the server answers `initialize` and
 * `tools/list` without loading the tools, effect or the Schemas (docs/adr/0037-mcp-server-loads-per-request.md);
 * test/e2e/mcpProcess.test.ts holds the built server's list equal to this one.
 */
export const listedTools = (): ReadonlyArray<ListedTool> => tools.map(listedTool)
