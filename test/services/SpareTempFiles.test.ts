import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import * as SpareTempFiles from "../../src/platform/SpareTempFiles.js"
import { placeBeforeSync, tempName, withTempFile } from "../../src/platform/TempFile.js"

const made: Array<string> = []
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "sb-spares-"))
  made.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true })
})
const tempsIn = (dir: string) => fs.readdirSync(dir).filter((n) => n.startsWith(".t-"))

/** Waits until `dir` holds a spare (they are made in the background). */
const spareMade = async (dir: string) => {
  for (let i = 0; i < 200 && tempsIn(dir).length === 0; i++) await new Promise((r) => setTimeout(r, 5))
  // The file is created before its mode is set and it is kept: give the last callback a turn.
  await new Promise((r) => setTimeout(r, 20))
  assert.strictEqual(tempsIn(dir).length, 1, `a spare in ${dir}`)
}

const pool = (options: Partial<SpareTempFiles.SpareTempFilesOptions> = {}) =>
  SpareTempFiles.make({ name: () => tempName(".t-"), mode: 0o600, ...options })

describe("SpareTempFiles", () => {
  it("makes one empty 0600 file per directory ahead, and hands it out once", async () => {
    const dir = tempDir()
    const spares = pool()
    assert.isUndefined(spares.take(dir))
    const umask = process.umask(0o077)
    try {
      spares.refill(dir)
      spares.refill(dir)
      await spareMade(dir)
    } finally {
      process.umask(umask)
    }
    const [name] = tempsIn(dir)
    const st = fs.statSync(path.join(dir, name!))
    assert.strictEqual(st.mode & 0o777, 0o600)
    assert.strictEqual(st.size, 0)
    const spare = spares.take(dir)
    assert.strictEqual(spare?.tmp, path.join(dir, name!))
    assert.strictEqual(fs.fstatSync(spare!.fd).ino, st.ino)
    assert.isUndefined(spares.take(dir))
    fs.closeSync(spare!.fd)
    spares.close()
  })

  it("drops a spare that is too old, or whose name no longer names it, and leaves what took the name", async () => {
    let now = 0
    const old = tempDir()
    const gone = tempDir()
    const replaced = tempDir()
    const spares = pool({ now: () => now, maxAgeMs: 1000 })
    for (const dir of [old, gone, replaced]) {
      spares.refill(dir)
      await spareMade(dir)
    }
    // gc removed one; another file was renamed over the other's name.
    fs.unlinkSync(path.join(gone, tempsIn(gone)[0]!))
    const planted = path.join(replaced, tempsIn(replaced)[0]!)
    fs.writeFileSync(path.join(replaced, "planted"), "not ours")
    fs.renameSync(path.join(replaced, "planted"), planted)
    assert.isUndefined(spares.take(gone))
    assert.isUndefined(spares.take(replaced))
    assert.strictEqual(fs.readFileSync(planted, "utf8"), "not ours")
    now = 1001
    assert.isUndefined(spares.take(old))
    assert.deepStrictEqual(tempsIn(old), [])
    spares.close()
  })

  it("keeps spares in the directories written into last, and removes every one when closed", async () => {
    const dirs = [tempDir(), tempDir(), tempDir()]
    const spares = pool({ maxDirs: 2 })
    for (const dir of dirs) {
      spares.refill(dir)
      await spareMade(dir)
    }
    assert.deepStrictEqual(tempsIn(dirs[0]!), [], "the least recent directory's spare is removed")
    assert.isUndefined(spares.take(dirs[0]!))
    spares.close()
    for (const dir of dirs) assert.deepStrictEqual(tempsIn(dir), [])
    spares.refill(dirs[1]!)
    await new Promise((r) => setTimeout(r, 50))
    assert.deepStrictEqual(tempsIn(dirs[1]!), [], "none is made once closed")
  })

  it("a write into a directory with a spare writes into it; every write leaves the next spare and nothing else", async () => {
    const dir = tempDir()
    const spares = pool()
    const options = { prefix: ".t-", mode: 0o600, spares }
    await withTempFile(dir, "first", (tmp) => fs.renameSync(tmp, path.join(dir, "a")), options)
    await spareMade(dir)
    const spareIno = fs.statSync(path.join(dir, tempsIn(dir)[0]!)).ino
    const { placed, synced } = placeBeforeSync(
      dir,
      "second",
      (tmp) => {
        fs.linkSync(tmp, path.join(dir, "b"))
        return "linked"
      },
      options
    )
    assert.strictEqual(placed, "linked")
    assert.strictEqual(fs.readFileSync(path.join(dir, "b"), "utf8"), "second", "placed before the flush")
    assert.strictEqual(fs.statSync(path.join(dir, "b")).ino, spareIno, "the spare became the file")
    await synced
    await spareMade(dir)
    await withTempFile(dir, "third", (tmp) => fs.renameSync(tmp, path.join(dir, "a")), options)
    assert.strictEqual(fs.readFileSync(path.join(dir, "a"), "utf8"), "third")
    assert.strictEqual(fs.statSync(path.join(dir, "a")).mode & 0o777, 0o600)
    await spareMade(dir)
    spares.close()
    assert.deepStrictEqual(fs.readdirSync(dir).sort(), ["a", "b"])
  })
})
