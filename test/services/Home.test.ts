import { assert, describe, it } from "@effect/vitest"
import { Either, Option } from "effect"
import { chooseHome } from "../../src/services/Home.js"
import * as HostEnv from "../../src/services/HostEnv.js"

describe("home resolution", () => {
  it("refuses a relative SESSION_BRIDGE_HOME with HOME_INVALID", () => {
    for (const home of ["rel", "./x", "../state", "~/.session-bridge"]) {
      const choice = chooseHome(HostEnv.makeMemory({ env: { SESSION_BRIDGE_HOME: home } }), false, false)
      assert.isTrue(Either.isLeft(choice), home)
      if (Either.isLeft(choice)) {
        assert.strictEqual(choice.left.code, "HOME_INVALID")
        assert.include(choice.left.message, JSON.stringify(home))
      }
    }
  })

  it("takes an absolute SESSION_BRIDGE_HOME, else ~/.session-bridge", () => {
    const explicit = chooseHome(HostEnv.makeMemory({ env: { SESSION_BRIDGE_HOME: "/srv/bridge" } }), false, false)
    assert.deepStrictEqual(explicit, Either.right({ home: "/srv/bridge", migrateFrom: Option.none() }))
    const fallback = chooseHome(HostEnv.makeMemory({ home: "/home/u" }), false, false)
    assert.deepStrictEqual(fallback, Either.right({ home: "/home/u/.session-bridge", migrateFrom: Option.none() }))
  })
})
