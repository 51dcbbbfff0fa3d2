import * as http from "node:http"

export interface Reply {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** One raw HTTP request to 127.0.0.1 with full control of the Host header and method. */
export const request = (
  port: number,
  path: string,
  options: { method?: string; host?: string | null; headers?: Record<string, string>; address?: string } = {}
): Promise<Reply> =>
  new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...options.headers }
    const req = http.request(
      {
        host: options.address ?? "127.0.0.1",
        port,
        path,
        method: options.method ?? "GET",
        headers,
        setHost: false,
        agent: false
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") })
        )
        res.on("error", reject)
      }
    )
    if (options.host !== null) req.setHeader("host", options.host ?? `127.0.0.1:${port}`)
    req.on("error", reject)
    req.end()
  })

/** Opens an event stream and collects its text; `until` resolves once the text matches. */
export const openEvents = (port: number, path: string) => {
  let text = ""
  const waiters: Array<{ test: (t: string) => boolean; resolve: () => void }> = []
  let response: http.IncomingMessage | undefined
  let ended = false
  const req = http.get(
    { host: "127.0.0.1", port, path, headers: { host: `127.0.0.1:${port}` }, agent: false },
    (res) => {
      response = res
      res.setEncoding("utf8")
      res.on("end", () => void (ended = true))
      res.on("close", () => void (ended = true))
      res.on("data", (chunk: string) => {
        text += chunk
        const ready = waiters.filter((w) => w.test(text))
        for (const w of ready) {
          waiters.splice(waiters.indexOf(w), 1)
          w.resolve()
        }
      })
    }
  )
  req.on("error", () => undefined)
  return {
    text: () => text,
    ended: () => ended,
    status: () => response?.statusCode,
    contentType: () => response?.headers["content-type"],
    until: (test: (t: string) => boolean, timeoutMs = 10_000) =>
      new Promise<void>((resolve, reject) => {
        if (test(text)) return resolve()
        const timer = setTimeout(
          () => reject(new Error(`event stream did not match within ${timeoutMs} ms; got:\n${text}`)),
          timeoutMs
        )
        waiters.push({ test, resolve: () => (clearTimeout(timer), resolve()) })
      }),
    close: () => req.destroy()
  }
}
