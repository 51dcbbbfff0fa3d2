/**
 * The hook's ES module entry, loaded by bin.ts: the bundle beside dist/chunks, else (running from source) the
 * hook imported directly.
 */
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { startHook } from "../platform/HookBoot.js"

export const main = (args: ReadonlyArray<string>): void => {
  // Bundled, this file is dist/chunks/<name>.js and the hook bundle is dist/hook.cjs.
  const here = dirname(fileURLToPath(import.meta.url))
  const fromSource = () =>
    void import("./run.js").then(
      (m) => m.main(args),
      () => process.exit(0)
    )
  if (!startHook(args, join(here, "..", "hook.cjs"), fromSource)) fromSource()
}
