import { spawn } from "node:child_process"
import * as fs from "node:fs"
import { BIN } from "./build.js"
import { type McpHandle, serverEnv, spawnMcp, tempHome, testSessionId } from "./mcpClient.js"

/** How a `session-bridge` process ended and what it printed. */
export interface Ran {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  readonly env: Record<string, string>
  readonly cwd: string
  /** Written to a piped stdin, which is then closed; absent means stdin is /dev/null. */
  readonly input?: string
}

/** Runs `node dist/bin.js <args>` with exactly the given environment and waits for it to exit. */
export const runProcess = (args: ReadonlyArray<string>, options: RunOptions): Promise<Ran> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: options.env,
      cwd: options.cwd,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout?.on("data", (c: Buffer) => (stdout += c.toString("utf8")))
    child.stderr?.on("data", (c: Buffer) => (stderr += c.toString("utf8")))
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
    if (options.input !== undefined) child.stdin?.end(options.input)
  })

/** Runs `node dist/bin.js <args>` on a bridge home (the MCP servers' environment); cwd defaults to the home. */
export const runBin = (
  home: string,
  args: ReadonlyArray<string>,
  options: { readonly cwd?: string; readonly input?: string } = {}
): Promise<Ran> =>
  runProcess(args, {
    env: serverEnv({ home }),
    cwd: options.cwd ?? home,
    ...(options.input !== undefined ? { input: options.input } : {})
  })

/** Temporary directories made on demand and all removed at the end (call `removeAll` in afterAll). */
export const scratchDirs = (prefix: string) => {
  const made: Array<string> = []
  return {
    make: (): string => {
      const dir = tempHome(prefix)
      made.push(dir)
      return dir
    },
    removeAll: (): void => {
      for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
    }
  }
}

/** MCP servers on one home, each answering bridge_whoami before use, all closed by `closeAll`. */
export const mcpServers = (home: string) => {
  const handles: Array<McpHandle> = []
  return {
    handles,
    open: async (label: string): Promise<McpHandle> => {
      const h = await spawnMcp({ home, sessionId: testSessionId(), label })
      handles.push(h)
      await h.ok("bridge_whoami")
      return h
    },
    closeAll: async (): Promise<void> => {
      for (const h of handles.splice(0)) await h.close()
    }
  }
}
