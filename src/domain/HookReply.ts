// Plain TypeScript, no Effect: the launcher's fast path (src/platform/HookFastPath.ts) answers with it before the hook
// bundle loads, and the Claude-style adapters (src/hook/hosts/) answer with it from the bundle.

/** The Claude-style reply that adds `text` to the model's context: `{"hookSpecificOutput":{…}}`. */
export const hookSpecificOutput = (hostEvent: string, text: string): string =>
  JSON.stringify({ hookSpecificOutput: { hookEventName: hostEvent, additionalContext: text } })
