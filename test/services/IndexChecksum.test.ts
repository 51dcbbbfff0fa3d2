import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Option } from "effect"
import { crc32 } from "../../src/bridge/Crc32.js"
import { nodeInfrastructure } from "../../src/platform/NodeLayers.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import { IndexChecksum } from "../../src/services/IndexChecksum.js"

describe("IndexChecksum", () => {
  it.effect(
    "the Node infrastructure provides zlib's native CRC-32, which gives what the table-driven one gives",
    () => {
      const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-checksum-"))
      return Effect.gen(function* () {
        const context = yield* nodeInfrastructure
        const native = Context.getOption(context, IndexChecksum)
        assert.isTrue(Option.isSome(native))
        const bytes = new TextEncoder().encode("a search index's bytes ".repeat(1000))
        assert.strictEqual(Option.getOrThrow(native).crc32(bytes), zlib.crc32(bytes))
        assert.strictEqual(Option.getOrThrow(native).crc32(bytes), crc32(bytes))
      }).pipe(
        Effect.provide(HostEnv.layerMemory({ env: { SESSION_BRIDGE_HOME: path.join(home, "bridge") }, home })),
        Effect.ensuring(Effect.sync(() => fs.rmSync(home, { recursive: true, force: true })))
      )
    }
  )
})
