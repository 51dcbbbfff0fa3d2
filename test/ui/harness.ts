import { Effect, Layer, Option } from "effect"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { BridgeLayer } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import { layerFileSystem } from "../../src/platform/store/FileSystemStore.js"
import { layerServer } from "../../src/platform/NodeUiServer.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import * as Lock from "../../src/services/Lock.js"
import type { Store } from "../../src/services/store/Store.js"
import { UiLayer } from "../../src/ui/Main.js"
import { start, type UiAddress } from "../../src/ui/Server.js"
import { type Seeded, seed } from "./fixtures.js"
import { request } from "./http.js"

export const tempHome = () => fs.mkdtempSync(path.join(os.tmpdir(), "sb-ui-test-"))

export const layers = (home: string, pid = 4242, alivePids: ReadonlyArray<number> = []) => {
  const infra = Layer.mergeAll(
    layerFileSystem(home),
    Lock.layerMemory,
    Ids.layer,
    HostEnv.layerMemory({ pid, alivePids })
  )
  // The dashboard's own composition, over the bridge services as the CLI process builds them.
  return UiLayer.pipe(
    Layer.provideMerge(BridgeLayer.pipe(Layer.provideMerge(RemoteSendsLayer.layer))),
    Layer.provideMerge(infra)
  )
}

/** Runs `f` against a dashboard serving `home` (seeded), then stops it. */
export const withDashboard = <A>(
  home: string,
  f: (address: UiAddress, seeded: Seeded) => Effect.Effect<A, unknown, Store>,
  options: { pid?: number; port?: number } = {}
) =>
  Effect.gen(function* () {
    const seeded = yield* seed
    const address = yield* start(layerServer, { port: Option.fromNullable(options.port) })
    return yield* f(address, seeded)
  }).pipe(Effect.scoped, Effect.provide(layers(home, options.pid)))

export const get = (address: UiAddress, p: string, options: Parameters<typeof request>[2] = {}) =>
  Effect.promise(() => request(address.port, p, options))
export const withToken = (address: UiAddress, p: string) => `${p}${p.includes("?") ? "&" : "?"}token=${address.token}`

/** Every file under `dir`, relative, with its size: a fingerprint of the stored state. */
export const snapshot = (dir: string): Array<string> =>
  (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<fs.Dirent>)
    .filter((d) => d.isFile())
    .map((d) => {
      const full = path.join(d.parentPath, d.name)
      return `${path.relative(dir, full)}:${fs.statSync(full).size}`
    })
    .sort()
