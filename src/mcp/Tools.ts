import type { Artifacts } from "../bridge/Artifacts.js"
import type { Broadcasts } from "../bridge/Broadcasts.js"
import type { Channels } from "../bridge/Channels.js"
import type { CurrentSession } from "../bridge/CurrentSession.js"
import type { Envelopes } from "../bridge/Envelopes.js"
import type { Mailbox } from "../bridge/Mailbox.js"
import type { RemoteSends } from "../bridge/RemoteSends.js"
import type { Search } from "../bridge/Search.js"
import type { Sessions } from "../bridge/Sessions.js"
import type { Store } from "../services/store/Store.js"
import type { AnyToolDef } from "./ToolDef.js"
import { getArtifact, postArtifact } from "./tools/ArtifactTools.js"
import { broadcast } from "./tools/BroadcastTools.js"
import { channelHistory, joinChannel, leaveChannel, listChannels } from "./tools/ChannelTools.js"
import { getThread, listInbox, markRead, readMessage, sendMessage, waitForMessage } from "./tools/MessageTools.js"
import { search } from "./tools/SearchTools.js"
import { listSessions, setSummary, whoami } from "./tools/SessionTools.js"

/** What every tool handler may ask for; the server provides it from BridgeLayer plus a CurrentSession. */
export type ToolRequirements =
  CurrentSession | Sessions | Mailbox | Broadcasts | Channels | Artifacts | Search | Envelopes | RemoteSends | Store

/** The seventeen bridge_* tools, in the order tools/list shows them. */
export const tools: ReadonlyArray<AnyToolDef<ToolRequirements>> = [
  whoami,
  listSessions,
  sendMessage,
  broadcast,
  listInbox,
  readMessage,
  markRead,
  postArtifact,
  getArtifact,
  waitForMessage,
  joinChannel,
  leaveChannel,
  listChannels,
  channelHistory,
  getThread,
  setSummary,
  search
]
