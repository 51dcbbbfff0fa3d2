// Samples the CPU of a process from its start to its exit and writes a .cpuprofile to $PROF_DIR (default ./prof).
// For processes started by someone else (the MCP servers a bench spawns), where `--cpu-prof` cannot be given:
// Node refuses it in NODE_OPTIONS, but accepts `NODE_OPTIONS="--require <this file>"`.
const inspector = require("node:inspector")
const fs = require("node:fs")
const path = require("node:path")

const session = new inspector.Session()
session.connect()
session.post("Profiler.enable")
session.post("Profiler.setSamplingInterval", { interval: Number(process.env.PROF_INTERVAL_US ?? 100) })
session.post("Profiler.start")
let written = false
process.on("exit", () => {
  if (written) return
  written = true
  // An in-thread session answers synchronously, so this runs before the process is gone.
  session.post("Profiler.stop", (error, result) => {
    if (error) return
    const dir = process.env.PROF_DIR ?? "prof"
    fs.mkdirSync(dir, { recursive: true })
    fs.writeFileSync(path.join(dir, `${process.pid}-${Date.now()}.cpuprofile`), JSON.stringify(result.profile))
  })
})
