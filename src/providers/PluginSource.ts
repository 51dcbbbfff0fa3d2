import type { InstallContext } from "./Provider.js"

/**
 * JS shared by the opencode and Cline plugins: runs `node <entry> hook <event> --provider <id>` without
 * blocking the host's event loop, feeds it the payload, and returns the context text it printed (plain
 * text, or the `additionalContext` / `additional_context` / `context` field of a JSON reply).
 */
export const hookRunnerSource = (
  ctx: InstallContext,
  provider: string,
  timeoutMs: number
): string => `import { spawn } from "node:child_process"

const NODE = ${JSON.stringify(ctx.node)}
const ENTRY = ${JSON.stringify(ctx.entry)}
const ENV = ${JSON.stringify(ctx.bridgeEnv)}

const contextOf = (stdout) => {
  const text = stdout.trim()
  if (text === "") return ""
  if (!text.startsWith("{")) return text
  try {
    const reply = JSON.parse(text)
    const found = reply?.hookSpecificOutput?.additionalContext ?? reply?.additional_context ?? reply?.additionalContext ?? reply?.context ?? reply?.appendContext
    return typeof found === "string" ? found.trim() : ""
  } catch {
    return text
  }
}

const runHook = (event, payload) =>
  new Promise((resolve) => {
    let out = ""
    let done = false
    const finish = (value) => {
      if (done) return
      done = true
      clearTimeout(timer)
      resolve(value)
    }
    const child = spawn(NODE, [ENTRY, "hook", event, "--provider", ${JSON.stringify(provider)}], {
      env: { ...process.env, ...ENV },
      stdio: ["pipe", "pipe", "ignore"]
    })
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      finish("")
    }, ${timeoutMs})
    child.stdout.on("data", (d) => (out += d))
    child.on("error", () => finish(""))
    child.on("close", (code) => finish(code === 0 ? contextOf(out) : ""))
    child.stdin.on("error", () => {})
    child.stdin.end(JSON.stringify({ hook_event_name: event, ...payload }))
  })
`
