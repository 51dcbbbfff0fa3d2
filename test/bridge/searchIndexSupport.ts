import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Layer } from "effect"
import { BridgeLayer } from "../../src/bridge/BridgeLayer.js"
import * as RemoteSendsLayer from "../../src/cloud/RemoteSendsLayer.js"
import { layerFileSystem } from "../../src/platform/store/FileSystemStore.js"
import * as HostEnv from "../../src/services/HostEnv.js"
import * as Ids from "../../src/services/Ids.js"
import * as Lock from "../../src/services/Lock.js"

/** Every domain service over a real store rooted at `root`. */
export const fileBridge = (root: string) =>
  BridgeLayer.pipe(
    Layer.provideMerge(RemoteSendsLayer.layer),
    Layer.provideMerge(
      Layer.mergeAll(layerFileSystem(root), Lock.layerMemory, Ids.layer, HostEnv.layerMemory({ home: "/home/tester" }))
    )
  )

const roots: Array<string> = []
/** A fresh home on the real disk; `removeRoots` removes every one made. */
export const tempRoot = (prefix: string) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  roots.push(root)
  return root
}
export const removeRoots = () => {
  for (const root of roots.splice(0)) {
    fs.rmSync(root, { recursive: true, force: true })
    fs.rmSync(`${root}-outside.idx`, { force: true })
  }
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
/** A message id that sorts after every earlier one of this process (its time part counts up from `base`). */
export const idAt = (n: number): string => {
  let t = 1_700_000_000_000 + n
  let time = ""
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time
    t = Math.floor(t / 32)
  }
  return time + "0000000000000000"
}

export const BOB = "01M8ZP97AX1TCW8EC10W78R4HJ"
export const ALICE = "01M8ZP97AX1TCW8EC10W78R4HK"

/** An envelope's JSON, as a send stores it. */
export const envelopeJson = (
  id: string,
  subject: string,
  body: string,
  extra: { readonly to?: string; readonly kind?: "direct" | "channel"; readonly channel?: string } = {}
) =>
  JSON.stringify({
    v: 1,
    id,
    kind: extra.kind ?? "direct",
    from: { sessionId: ALICE, label: "alice", provider: "unknown" },
    to: [{ sessionId: extra.to ?? BOB, label: "bob", provider: "unknown" }],
    ...(extra.channel !== undefined ? { channel: extra.channel } : {}),
    subject,
    body,
    threadId: id,
    artifacts: [],
    createdAt: "2026-12-04T04:41:37.186Z",
    origin: "local"
  })

/** Writes a message file straight into a directory of the home (as another process's send leaves it). */
export const plant = (root: string, dir: string, id: string, subject: string, body: string, extra = {}) => {
  fs.mkdirSync(path.join(root, dir), { recursive: true, mode: 0o700 })
  fs.writeFileSync(path.join(root, dir, `${id}.json`), envelopeJson(id, subject, body, extra), { mode: 0o600 })
}
