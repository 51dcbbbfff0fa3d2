import * as Context from "effect/Context"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"

/** The only door to the process in src/: environment, cwd, home, pid, platform. */
export interface HostEnvShape {
  readonly get: (name: string) => Option.Option<string>
  readonly cwd: string
  readonly home: string
  readonly pid: number
  readonly platform: string
  /** Absolute path of the node binary running us. */
  readonly execPath: string
  /** Absolute path of the entry script that was run (dist/bin.js), as hosts must be told to run it. */
  readonly entryPath: string
  /** True when a process with this pid exists (signal 0). */
  readonly isPidAlive: (pid: number) => boolean
  /** User name for the CLI's pseudo-session. */
  readonly userName: string
  readonly nodeVersion: string
  /** True when stderr is a terminal (progress lines are shown only then). */
  readonly stderrIsTTY?: boolean
}

export class HostEnv extends Context.Tag("session-bridge/HostEnv")<HostEnv, HostEnvShape>() {}

export interface MemoryHostEnvOptions {
  readonly env?: Record<string, string>
  readonly cwd?: string
  readonly home?: string
  readonly pid?: number
  readonly alivePids?: ReadonlyArray<number>
  readonly stderrIsTTY?: boolean
}

export const makeMemory = (options: MemoryHostEnvOptions = {}): HostEnvShape => {
  const env = options.env ?? {}
  const pid = options.pid ?? 4242
  const alive = new Set([pid, ...(options.alivePids ?? [])])
  return {
    get: (name) => Option.fromNullable(env[name]).pipe(Option.filter((v) => v !== "")),
    cwd: options.cwd ?? "/work/project",
    home: options.home ?? "/home/tester",
    pid,
    platform: "linux",
    execPath: "/usr/bin/node",
    entryPath: "/opt/session-bridge/dist/bin.js",
    isPidAlive: (p) => alive.has(p),
    userName: "tester",
    nodeVersion: "v20.0.0-test",
    stderrIsTTY: options.stderrIsTTY ?? false
  }
}

/** A fixed, in-memory environment for tests. */
export const layerMemory = (options: MemoryHostEnvOptions = {}): Layer.Layer<HostEnv> =>
  Layer.succeed(HostEnv, makeMemory(options))
