// Summarises a .cpuprofile: busy time per time bucket (to find the phases of a run), then self time by function
// and by file within a window. Usage:
//   node scripts/cpuprofile-summary.mjs <file.cpuprofile> [--from ms] [--to ms] [--top n] [--bucket ms]
// Build dist/ unminified first (esbuild `minify: false`) to read function names.
import fs from "node:fs"

const [file, ...rest] = process.argv.slice(2)
if (!file) throw new Error("usage: cpuprofile-summary.mjs <file.cpuprofile> [--from ms] [--to ms] [--top n] [--bucket ms]")
const opt = (name, fallback) => {
  const i = rest.indexOf(`--${name}`)
  return i >= 0 ? Number(rest[i + 1]) : fallback
}
const from = opt("from", 0)
const to = opt("to", Infinity)
const top = opt("top", 30)
const bucket = opt("bucket", 50)

const profile = JSON.parse(fs.readFileSync(file, "utf8"))
const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]))
const where = (f) => f.url.split("/").slice(-2).join("/") || f.functionName
const busy = new Map()
const byFunction = new Map()
const byFile = new Map()
let total = 0
let t = profile.startTime
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i]
  const at = (t - profile.startTime) / 1000
  const us = profile.timeDeltas[i + 1] ?? 0
  const frame = nodes.get(id)
  if (frame.functionName !== "(idle)") {
    const k = Math.floor(at / bucket) * bucket
    busy.set(k, (busy.get(k) ?? 0) + us)
  }
  if (at < from || at > to) return
  total += us
  const fn = `${frame.functionName || "(anonymous)"} ${where(frame)}:${frame.lineNumber}`
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us)
  byFile.set(where(frame), (byFile.get(where(frame)) ?? 0) + us)
})
const ms = (us) => `${(us / 1000).toFixed(1).padStart(8)} ms`
const list = (m) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, v]) => `${ms(v)}  ${k}`)
    .join("\n")
console.log(`-- busy per ${bucket} ms\n${[...busy].map(([k, v]) => `${String(k).padStart(7)} ms ${ms(v)}`).join("\n")}`)
console.log(`-- ${ms(total)} sampled from ${from} ms to ${to} ms`)
console.log(`-- self time by function\n${list(byFunction)}\n-- self time by file\n${list(byFile)}`)
