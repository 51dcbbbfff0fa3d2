// The `prepare` step of a development checkout: patches the checkout's TypeScript with the Effect language service,
// so `tsc` reports Effect's diagnostics too (docs/adr/0020-runtime-free-install.md).
//
// npm runs `prepare` on `npm install` / `npm ci` in this folder, on `npm pack` / `npm publish`, and when a git
// dependency is prepared; never for a user installing the published tarball. It patches only where the development
// tools are installed and npm is installing them: it does nothing on `npm pack` / `npm publish`, on a lock-only
// install, or on an install without devDependencies, and a missing language service is not an error.
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"

const command = process.env.npm_command ?? ""
const lockOnly = process.env.npm_config_package_lock_only === "true"
const cli = fileURLToPath(new URL("../node_modules/@effect/language-service/cli.js", import.meta.url))

if ((command === "install" || command === "ci") && !lockOnly && existsSync(cli)) {
  const result = spawnSync(process.execPath, [cli, "patch"], { stdio: "inherit" })
  process.exit(result.status ?? 1)
}
