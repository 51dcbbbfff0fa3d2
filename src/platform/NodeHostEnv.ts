import { resolve } from "node:path"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import { HostEnv } from "../services/HostEnv.js"

const isPidAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * node:os, loaded when first needed: loading it costs about a millisecond, and the hook, which runs on every prompt,
 * needs it only when HOME is unset.
 */
const os = () => process.getBuiltinModule("node:os")

const userName = (): string => {
  try {
    return os().userInfo().username
  } catch {
    return process.env["USER"] ?? "user"
  }
}

/**
 * The real process, read when called. The user name is looked up on first use only (getpwuid reads the user
 * database: most commands, the hook among them, never need it).
 */
export const make = (): typeof HostEnv.Service => {
  let user: string | undefined
  return {
    get: (name: string) => Option.fromNullable(process.env[name]).pipe(Option.filter((v) => v !== "")),
    cwd: process.cwd(),
    home: process.env["HOME"] || os().homedir(),
    pid: process.pid,
    platform: process.platform,
    execPath: process.execPath,
    entryPath: resolve(process.argv[1] ?? "session-bridge"),
    isPidAlive,
    get userName() {
      return (user ??= userName())
    },
    nodeVersion: process.version,
    get stderrIsTTY() {
      return Boolean(process.stderr.isTTY)
    }
  }
}

/** The real process. */
export const layer: Layer.Layer<HostEnv> = Layer.sync(HostEnv, make)
