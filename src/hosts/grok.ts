import { defineHost } from "./Host.js"

/** Grok CLI (verified with 0.0.34). It sets no variable of its own in the processes it starts. */
export const grokHost = defineHost({
  id: "grok",
  aliases: [],
  name: "Grok CLI",
  tier: 1,
  clientNames: ["grok-cli"],
  envMarkers: []
})
