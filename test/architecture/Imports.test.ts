import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"

/*
 * The shape of src/, checked from the import specifiers of every file (docs/adr/0026-ports-floors-and-composition.md).
 * A regex over `from "…"`, `import "…"` and `import("…")` is enough: the code base writes imports no other way.
 */

const SRC = "src"

/**
 * Every file's floor, by the longest matching prefix of its path under src/. A file may import its own floor and
 * the floors below it, never a floor above.
 */
const FLOORS: ReadonlyArray<readonly [prefix: string, floor: number]> = [
  // 0. Pure values: schemas, ids, names, errors; the host descriptors (plain data); the version.
  ["domain/", 0],
  ["hosts/", 0],
  ["Version.ts", 0],
  // The cloud layer's folder names under the home: plain values, which inspect and gc (the bridge) read too.
  ["cloud/CloudLayout.ts", 0],
  // 1. Ports: one service per file (Tag, interface, memory layers); the Store port's folder, services/store/.
  ["services/", 1],
  // 2. The sb1 protocol: pure functions over the CloudCrypto port.
  ["protocol/", 2],
  // The cloud layer's record schemas (over the protocol's wire schemas): inspect decodes outbox entries with them.
  ["cloud/CloudState.ts", 2],
  // 3. The local domain: the bridge services, the provider adapters and the hook payload adapters they share.
  ["bridge/", 3],
  ["providers/", 3],
  ["hook/hosts/", 3],
  // 4. The cloud: the client side (writes through the bridge services) and the relay server.
  ["cloud/", 4],
  ["relay/", 4],
  // 5. The Node layers: the only code that touches node:* and process.
  ["platform/", 5],
  // 6. The surfaces: commands, tool handlers, the hook, the dashboard; each entry point's composition file.
  ["mcp/", 6],
  ["hook/", 6],
  ["cli/", 6],
  ["ui/", 6],
  ["relay/Main.ts", 6],
  ["cloud/DaemonMain.ts", 6],
  // 7. The executables: argv in, a surface started.
  ["bin.ts", 7],
  ["launcher.ts", 7],
  ["legacy.ts", 7],
  ["relay/bin.ts", 7]
]

/**
 * Per entry point, the one file that assembles its service graph, and whether that graph holds the bridge services
 * (the dashboard and the cloud commands run inside the CLI's process and require the CLI's services instead).
 */
const COMPOSITION: ReadonlyArray<{ readonly entry: string; readonly file: string; readonly ownsBridge: boolean }> = [
  { entry: "cli", file: "cli/main.ts", ownsBridge: true },
  { entry: "mcp", file: "mcp/ToolRuntime.ts", ownsBridge: true },
  { entry: "hook", file: "hook/HookLayer.ts", ownsBridge: true },
  { entry: "ui", file: "ui/Main.ts", ownsBridge: false },
  { entry: "cloud commands", file: "cli/CloudProgram.ts", ownsBridge: false },
  { entry: "contact commands", file: "cli/ContactProgram.ts", ownsBridge: false },
  { entry: "relay", file: "relay/Main.ts", ownsBridge: false },
  { entry: "daemon", file: "cloud/DaemonMain.ts", ownsBridge: true }
]

/** Files that start a process and so reach the platform without assembling a graph: boot code, stdio, argv. */
const PROCESS_STARTERS = [
  "bin.ts",
  "launcher.ts",
  "legacy.ts",
  "hook/main.ts",
  "hook/run.ts",
  "mcp/main.ts",
  "relay/bin.ts"
]

/** The shared pieces of every graph: the bridge services in their order, the Node infrastructure in its order. */
const GRAPH_PIECES = ["bridge/BridgeLayer.ts", "bridge/SurfacingServices.ts", "platform/NodeLayers.ts"]

/** Allowed only under src/platform/, except where the text is code that runs somewhere else. */
const FORBIDDEN: ReadonlyArray<readonly [name: string, pattern: RegExp]> = [
  ["process.env", /\bprocess\.env\b/],
  ["Date.now", /\bDate\.now\b/],
  ["console.", /\bconsole\./],
  ["node:fs", /["']node:fs(\/promises)?["']/],
  ["try/catch", /\btry\s*\{/]
]

const EXCEPTIONS: ReadonlyArray<{ readonly file: string; readonly name: string; readonly why: string }> = [
  { file: "ui/assets/ScriptCore.ts", name: "Date.now", why: "the dashboard page's script: the browser's own clock" },
  {
    file: "providers/PluginSource.ts",
    name: "process.env",
    why: "the text of the plugin written into opencode/Cline: it passes the host's environment to the hook it spawns"
  },
  {
    file: "providers/opencode.ts",
    name: "Date.now",
    why: "the text of the opencode plugin: part ids in opencode's format, made in opencode's process"
  },
  {
    file: "providers/PluginSource.ts",
    name: "try/catch",
    why: "the text of the plugin written into opencode/Cline: it reads the hook's reply in the host's process"
  },
  {
    file: "domain/HookStamp.ts",
    name: "try/catch",
    why: "plain code the hook's fast path bundles without Effect (ADR-0036): a stamp that is not JSON is no stamp"
  }
]

/**
 * The files that turn a time into ISO text (docs/adr/0060-iso-time-without-the-time-zone.md); elsewhere the code
 * calls them, never `toISOString`, `DateTime.formatIso` or `Schema.DateTimeUtc`. The dashboard page's script runs in
 * a browser.
 */
const TIME_TEXT = [
  "domain/IsoTime.ts",
  "domain/UtcTime.ts",
  // The relay's log lines: its test compiles this one file alone, without the rest of src/ beside it.
  "platform/JsonLinesLogger.ts"
]

const MAX_LINES = 300

const listFiles = (dir: string): Array<string> =>
  fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? listFiles(path.join(dir, entry.name))
        : entry.name.endsWith(".ts")
          ? [path.join(dir, entry.name)]
          : []
    )

const files = listFiles(SRC)
  .map((file) => path.relative(SRC, file).split(path.sep).join("/"))
  .sort()
const texts = new Map(files.map((file) => [file, fs.readFileSync(path.join(SRC, file), "utf8")]))

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["']([^"']+)["']/gm

/** The files under src/ that `file` imports (statically, dynamically or for types only). */
const importsOf = (file: string): Array<string> =>
  [...(texts.get(file) ?? "").matchAll(SPECIFIER)]
    .map((m) => m[1] ?? "")
    .filter((spec) => spec.startsWith("."))
    .map((spec) => path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, ".ts"))

const graph = new Map(files.map((file) => [file, importsOf(file)]))

const floorOf = (file: string): number | undefined => {
  let best: readonly [string, number] | undefined
  for (const entry of FLOORS) {
    if (file.startsWith(entry[0]) && (best === undefined || entry[0].length > best[0].length)) best = entry
  }
  return best?.[1]
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
const cycles = (): Array<Array<string>> => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: Array<string> = []
  const onStack = new Set<string>()
  const found: Array<Array<string>> = []
  let next = 0
  const visit = (v: string): void => {
    index.set(v, next)
    low.set(v, next)
    next++
    stack.push(v)
    onStack.add(v)
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue
      if (!index.has(w)) {
        visit(w)
        low.set(v, Math.min(low.get(v)!, low.get(w)!))
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!))
    }
    if (low.get(v) === index.get(v)) {
      const component: Array<string> = []
      let w: string | undefined
      do {
        w = stack.pop()!
        onStack.delete(w)
        component.push(w)
      } while (w !== v)
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort())
    }
  }
  for (const file of files) if (!index.has(file)) visit(file)
  return found
}

describe("the source tree's shape", () => {
  it("finds the files and their imports", () => {
    expect(files.length).toBeGreaterThan(100)
    expect(graph.get("bridge/Mailbox.ts")).toContain("domain/Errors.ts")
    expect(importsOf("cli/Ui.ts")).toContain("ui/Main.ts") // a dynamic import counts
  })

  it("every import resolves to a file in src/", () => {
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((target) => !texts.has(target)).map((target) => `${file} -> ${target}`)
    )
    expect(missing).toEqual([])
  })

  it("every file has a floor", () => {
    expect(files.filter((file) => floorOf(file) === undefined)).toEqual([])
  })

  it("no import runs up a floor", () => {
    const upward = [...graph].flatMap(([file, targets]) =>
      targets
        .filter((target) => (floorOf(target) ?? 0) > (floorOf(file) ?? 0))
        .map((target) => `${file} (${floorOf(file)}) -> ${target} (${floorOf(target)})`)
    )
    expect(upward).toEqual([])
  })

  it("no import cycle between files", () => {
    expect(cycles()).toEqual([])
  })

  it(`no file over ${MAX_LINES} lines`, () => {
    const long = files
      .map((file) => ({ file, lines: (texts.get(file)?.match(/\n/g) ?? []).length }))
      .filter(({ lines }) => lines > MAX_LINES)
      .map(({ file, lines }) => `${file}: ${lines}`)
    expect(long).toEqual([])
  })

  it("process.env, Date.now, console, node:fs and try/catch only under src/platform/ (and the listed code that runs elsewhere)", () => {
    const found = files
      .filter((file) => !file.startsWith("platform/"))
      .flatMap((file) =>
        FORBIDDEN.filter(([, pattern]) => pattern.test(texts.get(file) ?? "")).map(([name]) => ({ file, name }))
      )
    const excused = (use: { file: string; name: string }) =>
      EXCEPTIONS.some((e) => e.file === use.file && e.name === use.name)
    expect(found.filter((use) => !excused(use)).map((use) => `${use.file}: ${use.name}`)).toEqual([])
    // An exception that no longer matches is removed from the list.
    expect(EXCEPTIONS.filter((e) => !found.some((use) => use.file === e.file && use.name === e.name))).toEqual([])
  })

  it("only the composition files and the process starters reach src/platform/ from above it", () => {
    const allowed = new Set([...COMPOSITION.map((c) => c.file), ...PROCESS_STARTERS])
    const reaching = [...graph].flatMap(([file, targets]) =>
      (floorOf(file) ?? 0) > 5 && !allowed.has(file)
        ? targets.filter((target) => target.startsWith("platform/")).map((target) => `${file} -> ${target}`)
        : []
    )
    expect(reaching).toEqual([])
  })

  it("the bridge services are built once per process: only the cli, mcp and hook compositions assemble them", () => {
    const owners = new Set(COMPOSITION.filter((c) => c.ownsBridge).map((c) => c.file))
    const assembling = [...graph].flatMap(([file, targets]) =>
      file.startsWith("bridge/") || file.startsWith("platform/") || owners.has(file)
        ? []
        : targets.filter((target) => GRAPH_PIECES.includes(target)).map((target) => `${file} -> ${target}`)
    )
    expect(assembling).toEqual([])
    for (const c of COMPOSITION) expect(texts.has(c.file), `${c.entry}: ${c.file}`).toBe(true)
  })

  it("times become text only through src/domain/IsoTime.ts and UtcTime.ts: toISOString loads time zone data", () => {
    const ways = /\.toISOString\(|DateTime\.formatIso\b|Schema\.DateTimeUtc\b(?!From)/
    const found = files.filter(
      (file) => !TIME_TEXT.includes(file) && !file.startsWith("ui/assets/") && ways.test(texts.get(file) ?? "")
    )
    expect(found).toEqual([])
  })
})
