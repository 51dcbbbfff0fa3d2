import * as Either from "effect/Either"
import { RelayUrlInvalid } from "./CloudErrors.js"

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"])

/** True for a host name that only ever means this machine. */
export const isLoopbackHost = (hostname: string): boolean =>
  LOOPBACK_HOSTS.has(hostname.toLowerCase()) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)

/**
 * A relay base URL as the client will use it (no trailing slash): https anywhere, http only to a loopback host
 * (CONTRACT.md: non-loopback relay URLs must be https), no credentials, query or fragment.
 */
export const parseRelayUrl = (text: string): Either.Either<string, RelayUrlInvalid> => {
  const invalid = (why: string) =>
    Either.left(new RelayUrlInvalid({ detail: `relay URL ${JSON.stringify(text.slice(0, 200))} ${why}` }))
  if (!URL.canParse(text)) return invalid("is not a URL")
  const url = new URL(text)
  if (url.protocol !== "https:" && url.protocol !== "http:") return invalid("must be https:// (or http:// on loopback)")
  if (url.protocol === "http:" && !isLoopbackHost(url.hostname))
    return invalid("uses plain http to a host that is not this machine; a relay elsewhere must be https://")
  if (url.username !== "" || url.password !== "") return invalid("may not carry a user name or password")
  if (url.search !== "" || url.hash !== "") return invalid("may not carry a query or fragment")
  return Either.right(`${url.origin}${url.pathname.replace(/\/+$/, "")}`)
}
