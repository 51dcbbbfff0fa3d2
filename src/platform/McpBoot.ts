import { statSync } from "node:fs"
import { join } from "node:path"

/**
 * `session-bridge mcp` from the launcher: the server's CommonJS bundle beside it (dist/mcp/server.cjs), with the
 * tool calls' bundle (dist/mcp/tools.cjs), and no ES module at all. Loading one file as an ES module brings in
 * Node's ES module loader, which reads files through node:fs/promises (and that loads readline): about 1.2 MiB
 * resident in a server after a few calls, kept as long as its session
 * (docs/adr/0066-mcp-server-started-as-commonjs.md). False when the bundle is missing: the caller then goes
 * through the ES module entry, as before.
 */
export const startMcp = (dir: string): boolean => {
  const server = join(dir, "mcp", "server.cjs")
  if (!statSync(server, { throwIfNoEntry: false })?.isFile()) return false
  const { main } = require(server) as { readonly main: (toolsBundle: string) => void }
  main(join(dir, "mcp", "tools.cjs"))
  return true
}
