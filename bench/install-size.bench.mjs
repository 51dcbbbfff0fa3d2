// What a user installs: the package packed from the built dist/ (`npm pack`), installed from that tarball into a
// temporary global prefix the way `npm i -g amc-session-bridge` does, without the relay's optional database
// packages. Reports the installed size (≤ 5 MB), the tarball's size, the install's wall time and package count.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { REPO, log, ms, requireBuild, row } from "./lib.mjs"

requireBuild()
const TARGET_BYTES = 5 * 1024 * 1024
const work = fs.mkdtempSync(path.join(os.tmpdir(), "sb-bench-install-"))

const npm = (args, cwd) =>
  execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, npm_config_update_notifier: "false" }
  })

/** Apparent size of every file under `dir`. */
const bytesUnder = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const p = path.join(dir, e.name)
    return sum + (e.isDirectory() ? bytesUnder(p) : e.isFile() ? fs.statSync(p).size : 0)
  }, 0)

const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(2)} MB`

try {
  // dist/ is already built (`npm run bench` builds it), so the lifecycle scripts are skipped: they would build again.
  log("packing")
  const [packed] = JSON.parse(npm(["pack", "--json", "--ignore-scripts", "--pack-destination", work], REPO))
  const tarball = path.join(work, packed.filename)
  const prefix = path.join(work, "prefix")
  log("installing", packed.filename)
  const started = process.hrtime.bigint()
  npm(
    ["install", "--global", "--prefix", prefix, "--omit=dev", "--omit=optional", "--omit=peer", "--offline", tarball],
    work
  )
  const installMs = Number(process.hrtime.bigint() - started) / 1e6
  const root = path.join(prefix, "lib", "node_modules")
  const installed = bytesUnder(root)
  // Top-level folders in the global root and in the package's own node_modules (a scope counts once): 1 is itself.
  const nested = path.join(root, packed.name, "node_modules")
  const packages = fs.readdirSync(root).length + (fs.existsSync(nested) ? fs.readdirSync(nested).length : 0)
  row(
    "installed size (npm i -g from the tarball, no relay drivers)",
    `${mb(installed)} (${installed.toLocaleString("en-US")} bytes)`,
    `≤ ${mb(TARGET_BYTES)}`,
    installed <= TARGET_BYTES
  )
  row("packed tarball", `${mb(fs.statSync(tarball).size)}, ${packed.entryCount} files`, "report")
  row("install from the tarball (offline)", `${ms(installMs)}, ${packages} package(s)`, "report")
} finally {
  fs.rmSync(work, { recursive: true, force: true })
}
