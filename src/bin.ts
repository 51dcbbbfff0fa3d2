#!/usr/bin/env node
/**
 * The session-bridge executable. `hook`, `mcp`, `daemon` and `relay` take fast paths that load only their own code
 * (the hook runs on every prompt; the MCP server must answer tools/list quickly); everything else
 * goes through the @effect/cli application.
 */
const [command, ...rest] = process.argv.slice(2)
const wantsHelp = rest.includes("--help") || rest.includes("-h")

if (command === "hook" && !wantsHelp) {
  const { main } = await import("./hook/main.js")
  main(rest)
} else if (command === "relay") {
  // A separate bundle (dist/relay/bin.js), loaded only here: no other command parses the relay or its drivers.
  // Its packages are optional peers of a CLI install, so they are checked first (RELAY_DRIVER_MISSING).
  const [{ preflight }, { runPromise }] = await Promise.all([import("./relay/Preflight.js"), import("effect/Effect")])
  if (await runPromise(preflight)) {
    const { main } = await import("./relay/bin.js")
    main(rest)
  } else process.exitCode = 1
} else if (command === "daemon" && !wantsHelp) {
  // The daemon's composition (HTTP client, cloud fibers) is its own chunk, loaded only here.
  const { main } = await import("./cloud/DaemonMain.js")
  main(rest)
} else if (command === "mcp" && !wantsHelp) {
  const { main } = await import("./mcp/main.js")
  main(new URL("./mcp/tools.cjs", import.meta.url))
} else {
  const { main } = await import("./cli/main.js")
  main(process.argv)
}
