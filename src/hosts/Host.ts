import * as Option from "effect/Option"

/**
 * An environment variable a host sets in the processes it starts (MCP servers, hooks, tool commands). Without
 * `equals` or `prefix` any value counts.
 */
export interface EnvMarker {
  readonly name: string
  readonly equals?: string
  readonly prefix?: string
}

/**
 * What every part of session-bridge knows about one host before loading anything host-specific: the installer
 * (`init`, `doctor`, `list-providers`), the hook (`--provider` lookup) and the MCP server (`clientInfo`, env).
 * Plain data: the hook bundle imports every descriptor on every run.
 */
export interface HostDescriptor {
  /** The provider id: `--provider`, session records, install records, hook commands. */
  readonly id: string
  /** Other spellings `--provider` and `SESSION_BRIDGE_PROVIDER` accept (matched case-insensitively). */
  readonly aliases: ReadonlyArray<string>
  /** The host's own name, for people. */
  readonly name: string
  /** 1: exercised against the real CLI by the host suite; 2: younger hook surface or not runnable here. */
  readonly tier: 1 | 2
  /** The `clientInfo.name` values its MCP `initialize` sends. */
  readonly clientNames: ReadonlyArray<string>
  /** Any one of these present means "running inside this host". */
  readonly envMarkers: ReadonlyArray<EnvMarker>
}

/** A descriptor that keeps its id as a literal type, so `HostId` is the union of the ids. */
export const defineHost = <const Id extends string>(
  host: HostDescriptor & { readonly id: Id }
): HostDescriptor & { readonly id: Id } => host

const markerPresent = (marker: EnvMarker, get: (name: string) => Option.Option<string>): boolean =>
  Option.exists(
    get(marker.name),
    (value) =>
      (marker.equals === undefined || value === marker.equals) &&
      (marker.prefix === undefined || value.startsWith(marker.prefix))
  )

/** True when the environment carries one of the host's markers. */
export const runsInside = (host: HostDescriptor, get: (name: string) => Option.Option<string>): boolean =>
  host.envMarkers.some((marker) => markerPresent(marker, get))
