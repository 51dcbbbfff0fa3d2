import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { Broadcasts } from "../../src/bridge/Broadcasts.js"
import { Channels } from "../../src/bridge/Channels.js"
import { Mailbox } from "../../src/bridge/Mailbox.js"
import { Search } from "../../src/bridge/Search.js"
import { SearchIndex } from "../../src/bridge/SearchIndex.js"
import { encodeIndex, indexPath } from "../../src/bridge/SearchIndexFile.js"
import { Store } from "../../src/services/store/Store.js"
import { memoryBridge, register } from "./support.js"
import { BOB, envelopeJson, fileBridge, idAt, plant, removeRoots, tempRoot } from "./searchIndexSupport.js"

afterAll(removeRoots)

const INBOX = `inbox/${BOB}`
const found = (query: string, limit = 50) =>
  Effect.flatMap(Search, (s) => s.search(BOB as never, query, limit)).pipe(
    Effect.map((hits) => hits.map((e) => `${e.id}:${e.subject}`))
  )
const idsOf = (query: string, limit = 50) =>
  Effect.map(found(query, limit), (hits) => hits.map((h) => h.split(":")[0]!))

/** A process of its own over the same home: fresh services, fresh caches; its index written before it ends. */
const inProcess = <A, E>(root: string, body: Effect.Effect<A, E, any>) =>
  Effect.gen(function* () {
    const out = yield* body
    yield* Effect.flatMap(SearchIndex, (i) => i.flush)
    return out
  }).pipe(Effect.provide(fileBridge(root))) as Effect.Effect<A, E>

const indexFile = (root: string) => path.join(root, indexPath(INBOX))
const settle = Effect.sleep("1100 millis")

/** Replaces a file by rename, as a store write does (the directory's mtime moves). */
const replace = (root: string, id: string, subject: string) => {
  const tmp = path.join(root, INBOX, ".tmp-replace")
  fs.writeFileSync(tmp, envelopeJson(id, subject, "new body"), { mode: 0o600 })
  fs.renameSync(tmp, path.join(root, INBOX, `${id}.json`))
}

describe("search index on the file system", () => {
  it.live("built once, written 0600 under cache/search/, and read by a fresh process instead of the files", () => {
    const root = tempRoot("sb-search-fresh-")
    for (let i = 0; i < 30; i++) plant(root, INBOX, idAt(i), `alpha ${i}`, i % 2 === 0 ? "even" : "odd")
    // Newer than every alpha one, and more than a fresh process decodes ahead (128): the alpha ones are checked
    // against their files only as hits.
    for (let i = 30; i < 160; i++) plant(root, INBOX, idAt(i), `filler ${i}`, "body")
    return Effect.gen(function* () {
      const first = yield* inProcess(root, Effect.zipLeft(idsOf("alpha even"), settle))
      assert.deepStrictEqual(first, [28, 26, 24, 22, 20, 18, 16, 14, 12, 10, 8, 6, 4, 2, 0].map(idAt))
      const st = fs.lstatSync(indexFile(root))
      assert.isTrue(st.isFile())
      assert.strictEqual(st.mode & 0o777, 0o600)
      // Edited in place, the directory untouched: the index is still trusted, so a fresh process does not read
      // the file to match it; but a hit is decoded from its file, and one that no longer matches is not returned.
      fs.writeFileSync(path.join(root, INBOX, `${idAt(28)}.json`), envelopeJson(idAt(28), "zebra 28", "even"))
      // The newest are decoded as the index loads, and checked then: one edited is found by what it says at once.
      fs.writeFileSync(path.join(root, INBOX, `${idAt(159)}.json`), envelopeJson(idAt(159), "yak 159", "body"))
      const second = yield* inProcess(
        root,
        Effect.all([idsOf("zebra"), idsOf("alpha even", 3), idsOf("zebra"), idsOf("yak"), idsOf("filler 159")])
      )
      // That hit's check updated the index: the edited file is then found by what it says now.
      assert.deepStrictEqual(second, [[], [idAt(26), idAt(24), idAt(22)], [idAt(28)], [idAt(159)], []])
    })
  })

  it.live("follows files added, removed and replaced while it runs", () => {
    const root = tempRoot("sb-search-live-")
    for (let i = 0; i < 5; i++) plant(root, INBOX, idAt(i), `beta ${i}`, "body")
    return inProcess(
      root,
      Effect.gen(function* () {
        assert.strictEqual((yield* idsOf("beta")).length, 5)
        plant(root, INBOX, idAt(10), "beta new", "body")
        assert.deepStrictEqual(yield* idsOf("new"), [idAt(10)])
        fs.unlinkSync(path.join(root, INBOX, `${idAt(2)}.json`))
        assert.deepStrictEqual(yield* idsOf("beta"), [10, 4, 3, 1, 0].map(idAt))
        replace(root, idAt(3), "gamma replaced")
        assert.deepStrictEqual(yield* found("gamma"), [`${idAt(3)}:gamma replaced`])
        assert.deepStrictEqual(yield* idsOf("beta"), [10, 4, 1, 0].map(idAt))
        // Several at once, then a quiet moment for the watch alone.
        for (let i = 20; i < 25; i++) plant(root, INBOX, idAt(i), `delta ${i}`, "body")
        yield* Effect.sleep("50 millis")
        assert.strictEqual((yield* idsOf("delta")).length, 5)
      })
    )
  })

  it.live(
    "finds rare words after messages are added and removed past the block filters, then in a fresh process",
    () => {
      const root = tempRoot("sb-search-blocks-")
      for (let i = 0; i < 300; i++) plant(root, INBOX, idAt(i), `filler ${i}`, "body")
      // A rare word among several is looked for through the block filters (128 entries each). Removing the sixth
      // message moves every later text one place, so each block's text changes; the one added lands in the last.
      const queries = ["zyxw unique", "filler 128", "filler 123", "filler 5"]
      return Effect.gen(function* () {
        const first = yield* inProcess(
          root,
          Effect.gen(function* () {
            assert.deepStrictEqual(yield* idsOf("filler 123"), [idAt(123)])
            plant(root, INBOX, idAt(300), "zyxw unique", "body")
            fs.unlinkSync(path.join(root, INBOX, `${idAt(5)}.json`))
            return yield* Effect.forEach(queries, (q) => idsOf(q))
          })
        )
        assert.deepStrictEqual(
          first,
          queries.map((q) => reference(root, q, 50))
        )
        assert.deepStrictEqual(first.slice(0, 3), [[idAt(300)], [idAt(128)], [idAt(123)]])
        // The file written holds the filters of the texts after the changes.
        assert.deepStrictEqual(
          yield* inProcess(
            root,
            Effect.forEach(queries, (q) => idsOf(q))
          ),
          first
        )
      })
    }
  )

  it.live("a stale index (the directory changed while no process ran) is brought up to date and rewritten", () => {
    const root = tempRoot("sb-search-stale-")
    for (let i = 0; i < 10; i++) plant(root, INBOX, idAt(i), `eps ${i}`, "body")
    return Effect.gen(function* () {
      yield* inProcess(root, Effect.zipLeft(idsOf("eps"), settle))
      const before = fs.readFileSync(indexFile(root), "utf8")
      plant(root, INBOX, idAt(50), "eps added", "body")
      fs.unlinkSync(path.join(root, INBOX, `${idAt(0)}.json`))
      replace(root, idAt(5), "zeta")
      yield* Effect.sleep("60 millis")
      const now = yield* inProcess(root, Effect.all([idsOf("eps"), idsOf("added")]))
      assert.deepStrictEqual(now[0], [50, 9, 8, 7, 6, 4, 3, 2, 1].map(idAt))
      assert.deepStrictEqual(now[1], [idAt(50)])
      const after = fs.readFileSync(indexFile(root), "utf8")
      assert.notStrictEqual(after, before)
      assert.include(after, "eps added")
      assert.notInclude(after, idAt(0))
    })
  })

  const hostile: ReadonlyArray<readonly [string, (file: string, root: string) => void]> = [
    ["garbage", (f) => fs.writeFileSync(f, "not an index at all\n")],
    ["a truncated index", (f) => fs.writeFileSync(f, fs.readFileSync(f, "utf8").slice(0, 150))],
    ["an index cut at its last text", (f) => fs.writeFileSync(f, fs.readFileSync(f, "utf8").slice(0, -3))],
    // One character changed where every column still parses: only the checksum tells. Trusted, message 3 would
    // no longer match "eta" (an entry still listed is not read again).
    [
      "an index with one character changed",
      (f) => fs.writeFileSync(f, fs.readFileSync(f, "utf8").replace("eta 3", "xta 3"))
    ],
    [
      "a link to a file elsewhere",
      (f, root) => {
        const outside = path.join(root, "..", `${path.basename(root)}-outside.idx`)
        fs.writeFileSync(outside, fs.readFileSync(f))
        fs.unlinkSync(f)
        fs.symlinkSync(outside, f)
      }
    ],
    [
      "a FIFO",
      (f) => {
        fs.unlinkSync(f)
        execFileSync("mkfifo", [f])
      }
    ],
    [
      "an oversized file",
      (f) => {
        fs.truncateSync(f, 65 * 1024 * 1024)
      }
    ]
  ]

  for (const [what, plantHostile] of hostile) {
    it.live(`ignores ${what} where the index belongs, and replaces it`, () => {
      const root = tempRoot("sb-search-hostile-")
      for (let i = 0; i < 8; i++) plant(root, INBOX, idAt(i), `eta ${i}`, "body")
      return Effect.gen(function* () {
        yield* inProcess(root, Effect.zipLeft(idsOf("eta"), settle))
        plantHostile(indexFile(root), root)
        plant(root, INBOX, idAt(30), "eta late", "body")
        const hits = yield* inProcess(root, Effect.zipLeft(idsOf("eta"), settle))
        assert.deepStrictEqual(hits, [30, 7, 6, 5, 4, 3, 2, 1, 0].map(idAt))
        const st = fs.lstatSync(indexFile(root))
        assert.isTrue(st.isFile())
        assert.isBelow(st.size, 4096)
        assert.include(fs.readFileSync(indexFile(root), "utf8"), "eta late")
      })
    })
  }

  it.live(
    "a forged index naming files that do not exist returns none of them, and a directory there is ignored",
    () => {
      const root = tempRoot("sb-search-forged-")
      plant(root, INBOX, idAt(1), "theta", "body")
      return Effect.gen(function* () {
        const mtime = fs.statSync(path.join(root, INBOX)).mtimeMs
        fs.mkdirSync(path.join(root, "cache", "search"), { recursive: true, mode: 0o700 })
        const forged = encodeIndex({
          dir: INBOX,
          dirMtimeMs: mtime,
          listedAt: mtime + 5000,
          entries: [
            { id: idAt(1), kind: "direct", channel: undefined, text: "theta\nbody" },
            { id: idAt(2), kind: "direct", channel: undefined, text: "theta secret" }
          ]
        })
        fs.writeFileSync(indexFile(root), forged, { mode: 0o600 })
        assert.deepStrictEqual(yield* inProcess(root, Effect.all([idsOf("theta"), idsOf("secret")])), [[idAt(1)], []])
        fs.rmSync(indexFile(root))
        fs.mkdirSync(indexFile(root))
        assert.deepStrictEqual(yield* inProcess(root, idsOf("theta")), [idAt(1)])
      })
    }
  )
})

/** What a search must return, from the files themselves: every term in subject or body, newest first. */
const reference = (root: string, query: string, limit: number) => {
  const terms = query
    .toLowerCase()
    .split(/\s+/)
    .filter((t) => t.length > 0)
  const dir = path.join(root, INBOX)
  return fs
    .readdirSync(dir)
    .filter((n) => n.endsWith(".json"))
    .map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), "utf8")) as { id: string; subject: string; body: string })
    .filter((e) => terms.every((t) => `${e.subject}\n${e.body}`.toLowerCase().includes(t)))
    .map((e) => e.id)
    .sort()
    .reverse()
    .slice(0, limit)
}

describe("search index against the files", () => {
  it.live("gives what reading every file gives, on a random corpus that changes between searches", () => {
    const root = tempRoot("sb-search-random-")
    let seed = 42
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31
      return seed % n
    }
    const WORDS = ["Parser", "config", "DEPLOY", "schéma", "tab\there", "back\\slash", "line\nfeed", "ünï", "x", "42"]
    const words = (n: number) => Array.from({ length: n }, () => WORDS[random(WORDS.length)]).join(" ")
    let next = 0
    const add = () => plant(root, INBOX, idAt(next++), words(1 + random(3)), words(random(6)))
    for (let i = 0; i < 300; i++) add()
    return Effect.gen(function* () {
      for (let round = 0; round < 3; round++) {
        yield* inProcess(
          root,
          Effect.gen(function* () {
            for (let q = 0; q < 40; q++) {
              const query = words(1 + random(3)).replace(/[\t\n]/g, " ")
              const limit = 1 + random(30)
              assert.deepStrictEqual(yield* idsOf(query, limit), reference(root, query, limit), query)
              const change = random(4)
              if (change === 0) add()
              else if (change === 1) {
                const names = fs.readdirSync(path.join(root, INBOX)).filter((n) => n.endsWith(".json"))
                fs.unlinkSync(path.join(root, INBOX, names[random(names.length)]!))
              } else if (change === 2) replace(root, idAt(random(next)), words(2))
            }
          })
        )
        // Between processes: more changes while nothing watches.
        for (let i = 0; i < 5; i++) add()
        fs.unlinkSync(
          path.join(
            root,
            INBOX,
            fs.readdirSync(path.join(root, INBOX)).find((n) => n.endsWith(".json"))!
          )
        )
      }
    })
  })
})

describe("search index in memory", () => {
  it.effect("follows sends, removals and replacements; a session finds only what it may read", () =>
    Effect.gen(function* () {
      const alice = yield* register("alice")
      const bob = yield* register("bob")
      const carol = yield* register("carol")
      const mailbox = yield* Mailbox
      const search = (who: { sessionId: string }, q: string) =>
        Effect.map(
          Effect.flatMap(Search, (s) => s.search(who.sessionId as never, q)),
          (hits) => hits.map((e) => e.subject)
        )
      const sent = yield* mailbox.send({ from: alice, to: { label: "bob" }, subject: "iota one", body: "private" })
      yield* mailbox.send({ from: alice, to: { label: "carol" }, subject: "iota two", body: "private" })
      assert.deepStrictEqual(yield* search(bob, "iota"), ["iota one"])
      assert.deepStrictEqual(yield* search(carol, "iota"), ["iota two"])
      assert.deepStrictEqual(yield* search(alice, "iota"), [])
      // Channels: only the members' history; broadcasts: everyone's but the sender's.
      yield* Effect.flatMap(Channels, (c) => c.join(alice.sessionId, "#build"))
      yield* Effect.flatMap(Channels, (c) => c.join(carol.sessionId, "#build"))
      yield* mailbox.send({ from: alice, to: { channel: "#build" }, subject: "kappa in build" })
      assert.deepStrictEqual(yield* search(carol, "kappa"), ["kappa in build"])
      assert.deepStrictEqual(yield* search(alice, "kappa"), ["kappa in build"])
      assert.deepStrictEqual(yield* search(bob, "kappa"), [])
      yield* Effect.flatMap(Broadcasts, (b) => b.post({ from: alice, subject: "lambda to all" }))
      assert.deepStrictEqual(yield* search(bob, "lambda"), ["lambda to all"])
      assert.deepStrictEqual(yield* search(alice, "lambda"), [])
      // Removed and replaced files.
      const store = yield* Store
      const path = `inbox/${bob.sessionId}/${sent.envelope.id}.json`
      const text = new TextDecoder().decode(
        (yield* store.read(path)).pipe((o) => (o._tag === "Some" ? o.value : new Uint8Array()))
      )
      yield* store.write(path, text.replace("iota one", "mu changed"))
      assert.deepStrictEqual(yield* search(bob, "iota"), [])
      assert.deepStrictEqual(yield* search(bob, "mu"), ["mu changed"])
      yield* store.remove(path)
      assert.deepStrictEqual(yield* search(bob, "mu"), [])
    }).pipe(Effect.provide(memoryBridge()))
  )
})
