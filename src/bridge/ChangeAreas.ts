import { Layout } from "../domain/Layout.js"

/** What a change under the home is about, by the tree it happened in. */
export type ChangeArea = "sessions" | "inboxes" | "broadcasts" | "channels" | "artifacts" | "readState"

export interface WatchedTree {
  readonly dir: string
  /** How deep below `dir` directories that appear (one inbox per session, one history per channel) are followed. */
  readonly depth: number
  readonly area: ChangeArea
}

/** The trees an observer of the whole store (the dashboard) follows. */
export const WATCHED_TREES: ReadonlyArray<WatchedTree> = [
  { dir: Layout.sessionsDir, depth: 0, area: "sessions" },
  { dir: Layout.inboxesDir, depth: 1, area: "inboxes" },
  { dir: Layout.broadcastsDir, depth: 0, area: "broadcasts" },
  { dir: Layout.channelsDir, depth: 2, area: "channels" },
  { dir: Layout.artifactsDir, depth: 0, area: "artifacts" },
  { dir: Layout.statesDir, depth: 2, area: "readState" }
]

/** The area of a changed directory (a store path), or undefined when it is none of the watched trees. */
export const areaOf = (dir: string): ChangeArea | undefined => {
  const top = dir.split("/")[0]
  return WATCHED_TREES.find((t) => t.dir === top)?.area
}

/** A record file's name: never a directory to follow. */
export const isRecordName = (name: string): boolean => /\.(json|bin)$/.test(name)

/** The directories whose changes may bring a session something new to read: its inbox and the broadcasts. */
export const inboxWatchDirs = (sessionId: string): ReadonlyArray<string> => [
  Layout.inboxDir(sessionId),
  Layout.broadcastsDir
]
