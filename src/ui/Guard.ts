/**
 * The dashboard's request guard, as pure functions: the Host header must name this server on a
 * loopback name (DNS-rebinding defense), the per-run token must be present, and only GET is served.
 */

export interface Rejection {
  readonly status: number
  readonly reason: string
}

export interface GuardInput {
  readonly method: string
  readonly host: string | undefined
  /** The token offered by the request (query `token` or `Authorization: Bearer`). */
  readonly token: string | undefined
  readonly expectedToken: string
  readonly port: number
}

/** The Host values a browser sends for this server: exactly `127.0.0.1:<port>` or `localhost:<port>`. */
export const allowedHosts = (port: number): ReadonlyArray<string> => [`127.0.0.1:${port}`, `localhost:${port}`]

/** Compares two strings in time independent of where they differ. */
export const sameToken = (offered: string, expected: string): boolean => {
  let diff = offered.length ^ expected.length
  for (let i = 0; i < expected.length; i++) {
    diff |= (offered.charCodeAt(i % Math.max(offered.length, 1)) || 0) ^ expected.charCodeAt(i)
  }
  return diff === 0 && offered.length === expected.length
}

/** Reads the token a request offers: `?token=` first, then `Authorization: Bearer <token>`. */
export const offeredToken = (url: string, authorization: string | undefined): string | undefined => {
  const query = url.indexOf("?")
  if (query >= 0) {
    const value = new URLSearchParams(url.slice(query + 1)).get("token")
    if (value !== null && value !== "") return value
  }
  const match = authorization === undefined ? null : /^Bearer\s+(\S+)$/i.exec(authorization)
  return match?.[1]
}

/** The first rule a request breaks, or undefined when it may be served. Host, then token, then method. */
export const check = (input: GuardInput): Rejection | undefined => {
  if (input.host === undefined || !allowedHosts(input.port).includes(input.host.toLowerCase())) {
    return { status: 421, reason: "this server answers only to 127.0.0.1 or localhost on its own port" }
  }
  if (input.token === undefined || !sameToken(input.token, input.expectedToken)) {
    return { status: 403, reason: "missing or wrong token; open the URL printed by `session-bridge ui`" }
  }
  if (input.method !== "GET") {
    return { status: 405, reason: "the dashboard is read-only; only GET is served" }
  }
  return undefined
}
