#!/usr/bin/env node
/**
 * The installed `session-bridge` executable, bundled as CommonJS (dist/session-bridge.cjs): Node starts a CommonJS
 * entry about ten milliseconds sooner than an ES module, which the hook, run on every prompt, feels. `hook` answers a
 * prompt with nothing waiting before any bundle loads (src/platform/HookFastPath.ts), else starts the hook bundle
 * beside this file directly; `mcp` starts the server's CommonJS bundle (src/platform/McpBoot.ts), so a server that
 * lives as long as its session never loads Node's ES module loader; everything else (and a hook or server without
 * its bundle) goes to the ES module entry, dist/bin.js, which reads the same arguments.
 */
import { join } from "node:path"
import { startHook } from "./platform/HookBoot.js"
import { startMcp } from "./platform/McpBoot.js"

const [command, ...rest] = process.argv.slice(2)
const wantsHelp = rest.includes("--help") || rest.includes("-h")

const toBin = () => void import("./bin.js")

if (command === "mcp" && !wantsHelp) {
  if (!startMcp(__dirname)) toBin()
} else if (!(command === "hook" && !wantsHelp && startHook(rest, join(__dirname, "hook.cjs"), toBin))) toBin()
