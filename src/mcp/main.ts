/** Placeholder until the MCP server lands. */
export const main = (): void => {
  process.stderr.write("session-bridge mcp: not available in this build\n")
  process.exitCode = 1
}
