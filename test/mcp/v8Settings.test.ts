import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { build } from "esbuild"

/**
 * Runs `body` in a fresh node process (V8 sizes its spaces and budgets per process, and the test runner's are
 * already warm), with or without src/platform/NodeMcpProcess.ts's tuneV8ForToolCalls() called first; stdout.
 */
const runAfterTuning = (module: string, tune: boolean, body: string, flags: ReadonlyArray<string> = []): string =>
  execFileSync(
    process.execPath,
    [
      ...flags,
      "--input-type=module",
      "-e",
      `const { tuneV8ForToolCalls } = await import(${JSON.stringify(module)})
       if (${tune}) tuneV8ForToolCalls()
       ${body}`
    ],
    { encoding: "utf8" }
  )

/** The young generation's size (MiB) after 400,000 objects were allocated that all live on. */
const youngGenerationAfterLoad = (module: string, tune: boolean): number =>
  Number(
    runAfterTuning(
      module,
      tune,
      `const keep = []
       for (let i = 0; i < 400000; i++) keep.push({ i, s: "x" + i })
       const young = (await import("node:v8")).getHeapSpaceStatistics().find((s) => s.space_name === "new_space")
       process.stdout.write(String(young.space_size / 1048576))`
    )
  )

/** Whether V8 optimized a small function called `calls` times (2,000: a few hundred KB of bytecode run). */
const optimizedAfterWarmCalls = (module: string, tune: boolean, calls = 2000): boolean =>
  runAfterTuning(
    module,
    tune,
    `function sumOfCodes(s) { let n = 0; for (let i = 0; i < s.length; i++) n += s.charCodeAt(i); return n }
     let total = 0
     for (let i = 0; i < ${calls}; i++) total += sumOfCodes("tool call " + i)
     await new Promise((resolve) => setTimeout(resolve, 100))
     process.stdout.write("total " + total + "\\n")`,
    ["--trace-opt"]
  ).includes("sumOfCodes (sfi")

const bundled = async <A>(use: (module: string) => A): Promise<A> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-v8-"))
  try {
    const module = path.join(dir, "NodeMcpProcess.mjs")
    await build({
      entryPoints: ["src/platform/NodeMcpProcess.ts"],
      outfile: module,
      bundle: true,
      platform: "node",
      format: "esm",
      logLevel: "error"
    })
    return use(module)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

describe("the MCP server's V8 settings for the tool calls", () => {
  it("keeps the young generation at two 1 MiB semi-spaces, where V8 would grow it (ADR-0038)", () =>
    bundled((module) => {
      assert.isAbove(youngGenerationAfterLoad(module, false), 4, "without it V8 grows the space under this load")
      assert.isAtMost(youngGenerationAfterLoad(module, true), 2)
    }))

  it("starts no optimizing compile for work that would get one at V8's default budgets (ADR-0048)", () =>
    bundled((module) => {
      assert.isTrue(optimizedAfterWarmCalls(module, false), "without it V8 optimizes the function")
      assert.isFalse(optimizedAfterWarmCalls(module, true))
    }))

  it("starts none either for a hundred times that work, past the longer budgets too (ADR-0086)", () =>
    bundled((module) => {
      assert.isTrue(optimizedAfterWarmCalls(module, false, 200_000), "without it V8 optimizes the function")
      assert.isFalse(optimizedAfterWarmCalls(module, true, 200_000))
    }))
})
