import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { build } from "esbuild"

/**
 * The young generation's size (MiB) in a fresh node process after it allocated 400,000 objects that all live on,
 * with or without src/platform/NodeMcpProcess.ts's keepYoungGenerationSmall() called first. A process of its own:
 * V8 sizes the space per process and the test runner's is already grown.
 */
const youngGenerationAfterLoad = (module: string, keepSmall: boolean): number =>
  Number(
    execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const { keepYoungGenerationSmall } = await import(${JSON.stringify(module)})
         if (${keepSmall}) keepYoungGenerationSmall()
         const keep = []
         for (let i = 0; i < 400000; i++) keep.push({ i, s: "x" + i })
         const young = (await import("node:v8")).getHeapSpaceStatistics().find((s) => s.space_name === "new_space")
         process.stdout.write(String(young.space_size / 1048576))`
      ],
      { encoding: "utf8" }
    )
  )

describe("the MCP server's young generation (docs/adr/0038-mcp-server-young-generation.md)", () => {
  it("stays at two 1 MiB semi-spaces once set, where V8 would grow it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-young-"))
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
      assert.isAbove(youngGenerationAfterLoad(module, false), 4, "without it V8 grows the space under this load")
      assert.isAtMost(youngGenerationAfterLoad(module, true), 2)
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
})
