// Plain TypeScript, no Effect: the launcher's fast path (src/platform/HookFastPath.ts) reads the same arguments
// before the hook bundle loads.

/** `hook <event> --provider <name>` (also `--provider=<name>`; SESSION_BRIDGE_PROVIDER when the flag is absent). */
export interface HookArgs {
  readonly event: string | undefined
  readonly provider: string | undefined
}

export const parseArgs = (args: ReadonlyArray<string>): HookArgs => {
  let event: string | undefined
  let provider: string | undefined
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === "--provider" || arg === "-p") provider = args[++i]
    else if (arg.startsWith("--provider=")) provider = arg.slice("--provider=".length)
    else if (!arg.startsWith("-") && event === undefined) event = arg
  }
  return { event, provider }
}
