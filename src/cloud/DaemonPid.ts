import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { isoOfMillis } from "../domain/IsoTime.js"
import { HostEnv } from "../services/HostEnv.js"
import { Lock } from "../services/Lock.js"
import { Store } from "../services/store/Store.js"
import { DaemonRunning } from "./CloudErrors.js"
import { CloudHome } from "./CloudHome.js"
import { CloudLayout } from "./CloudLayout.js"
import { DaemonPid } from "./CloudState.js"

/*
 * One daemon per home: `cloud/daemon.pid` names the running one. Checking and writing it happen under the
 * `cloud-daemon` lock, so two daemons starting together cannot both win; a pid file whose process is gone is
 * taken over. The file is removed on exit, only while it still names this process.
 */

const LOCK = "cloud-daemon"

/** Claims the home for this process for the scope's lifetime; DAEMON_RUNNING when another live daemon holds it. */
export const claimDaemonPid = Effect.gen(function* () {
  const store = yield* Store
  const host = yield* HostEnv
  const home = yield* CloudHome
  const lock = yield* Lock
  const claim = Effect.gen(function* () {
    const current = yield* home.daemonPid
    if (Option.isSome(current) && current.value.pid !== host.pid && host.isPidAlive(current.value.pid))
      return yield* new DaemonRunning({
        detail: `a daemon already runs on this home (pid ${current.value.pid}, since ${isoOfMillis(current.value.startedAt)})`
      })
    const mine = { pid: host.pid, startedAt: yield* Clock.currentTimeMillis }
    yield* store.write(CloudLayout.daemonPid, JSON.stringify(Schema.encodeSync(DaemonPid)(mine)) + "\n")
    return mine
  })
  const release = Effect.gen(function* () {
    const current = yield* home.daemonPid
    if (Option.isSome(current) && current.value.pid === host.pid) yield* store.remove(CloudLayout.daemonPid)
  }).pipe(lock.withLock(LOCK), Effect.ignore)
  return yield* Effect.acquireRelease(claim.pipe(lock.withLock(LOCK)), () => release)
})
