import * as fs from "node:fs"
import fsModule from "node:fs"
import { syncBuiltinESMExports } from "node:module"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, assert, describe, it } from "@effect/vitest"
import { withTempFile } from "../../src/platform/TempFile.js"

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "sb-tempfile-"))
const realFsync = fs.fsync

/** Records each fsync in `events` (then runs the real one), so a test sees it in order with `place`. */
const recordFsyncs = (events: Array<string>) => {
  fsModule.fsync = ((fd: number, cb: (e: NodeJS.ErrnoException | null) => void) => {
    events.push("fsync")
    realFsync(fd, cb)
  }) as typeof fs.fsync
  syncBuiltinESMExports()
}

afterEach(() => {
  fsModule.fsync = realFsync
  syncBuiltinESMExports()
})

describe("withTempFile", () => {
  it("by default fsyncs the whole file before placing it", async () => {
    const dir = tempDir()
    const events: Array<string> = []
    recordFsyncs(events)
    await withTempFile(
      dir,
      "hello",
      (tmp) => {
        events.push("placed")
        fs.renameSync(tmp, path.join(dir, "f"))
      },
      { prefix: ".t-", mode: 0o600 }
    )
    events.push("returned")
    assert.deepStrictEqual(events, ["fsync", "placed", "returned"])
    assert.strictEqual(fs.readFileSync(path.join(dir, "f"), "utf8"), "hello")
  })

  it("with syncAfterPlace, places the whole file first and returns only once it is fsynced", async () => {
    const dir = tempDir()
    const events: Array<string> = []
    recordFsyncs(events)
    const target = path.join(dir, "f")
    const created = await withTempFile(
      dir,
      "x".repeat(10_000),
      (tmp) => {
        fs.linkSync(tmp, target)
        // A reader looking now sees the whole content, not a part of it.
        events.push(`placed ${fs.readFileSync(target, "utf8").length}`)
        return true
      },
      { prefix: ".t-", mode: 0o600, syncAfterPlace: true }
    )
    events.push("returned")
    assert.isTrue(created)
    assert.deepStrictEqual(events, ["placed 10000", "fsync", "returned"])
    // The temp name is gone, the file is 0600.
    assert.deepStrictEqual(fs.readdirSync(dir), ["f"])
    assert.strictEqual(fs.statSync(target).mode & 0o777, 0o600)
  })

  it("with syncAfterPlace, a place that throws leaves no temp file and the error is the call's", async () => {
    const dir = tempDir()
    fs.writeFileSync(path.join(dir, "taken"), "old")
    const failed = await withTempFile(dir, "new", (tmp) => fs.linkSync(tmp, path.join(dir, "taken")), {
      prefix: ".t-",
      mode: 0o600,
      syncAfterPlace: true
    }).then(
      () => undefined,
      (e: NodeJS.ErrnoException) => e.code
    )
    assert.strictEqual(failed, "EEXIST")
    assert.deepStrictEqual(fs.readdirSync(dir), ["taken"])
    assert.strictEqual(fs.readFileSync(path.join(dir, "taken"), "utf8"), "old")
  })
})
