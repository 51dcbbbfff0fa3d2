/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core) against real processes:
 * `session-bridge ui` and two `session-bridge mcp` servers. Runs when /usr/bin/chromium exists, and always in CI.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { ensureBuilt, REPO } from "../support/build.js"
import { type McpHandle, serverEnv, spawnMcp, testSessionId } from "../support/mcpClient.js"

const CHROMIUM = "/usr/bin/chromium"
const runs = fs.existsSync(CHROMIUM) || process.env["CI"] !== undefined
const OUT = path.join(REPO, "test-output")

interface Ui {
  readonly child: ChildProcess
  readonly url: string
  readonly port: number
  readonly token: string
}

/** Starts `session-bridge ui --no-open --json` and reads the address it prints. */
const startUi = (bin: string, home: string, port?: number): Promise<Ui> =>
  new Promise((resolve, reject) => {
    const args = [bin, "ui", "--no-open", "--json", ...(port === undefined ? [] : ["--port", String(port)])]
    const child = spawn(process.execPath, args, {
      env: serverEnv({ home }),
      cwd: home,
      stdio: ["ignore", "pipe", "pipe"]
    })
    let out = ""
    let err = ""
    child.stderr.on("data", (c: Buffer) => void (err += c.toString()))
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString()
      const line = out.split("\n")[0]
      if (out.includes("\n") && line) {
        const info = JSON.parse(line)
        resolve({ child, url: info.url, port: info.port, token: info.token })
      }
    })
    child.on("exit", (code) => reject(new Error(`ui exited with ${code}: ${err}`)))
  })

const stopUi = (ui: Ui): Promise<void> =>
  new Promise((resolve) => {
    if (ui.child.exitCode !== null) return resolve()
    ui.child.once("exit", () => resolve())
    ui.child.kill("SIGTERM")
  })

describe.skipIf(!runs)("dashboard in Chromium", () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "sb-ui-browser-"))
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "sb-ui-chromium-"))
  let bin = ""
  let ui: Ui
  let alice: McpHandle
  let bob: McpHandle
  let context: BrowserContext
  let page: Page

  beforeAll(async () => {
    fs.mkdirSync(OUT, { recursive: true })
    bin = await ensureBuilt()
    const project = (name: string) => {
      const dir = path.join(home, "projects", name)
      fs.mkdirSync(dir, { recursive: true })
      return dir
    }
    alice = await spawnMcp({
      home,
      sessionId: testSessionId(),
      label: "alice",
      cwd: project("parser"),
      env: { SESSION_BRIDGE_PROVIDER: "claude-code" }
    })
    bob = await spawnMcp({
      home,
      sessionId: testSessionId(),
      label: "bob",
      cwd: project("review"),
      env: { SESSION_BRIDGE_PROVIDER: "codex" }
    })
    await alice.ok("bridge_set_summary", { summary: "refactoring the parser" })
    await bob.ok("bridge_set_summary", { summary: "reviewing" })
    ui = await startUi(bin, home)
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync"
      ],
      viewport: { width: 1366, height: 800 }
    })
    page = context.pages()[0] ?? (await context.newPage())
  }, 180_000)

  afterAll(async () => {
    await context?.close()
    await Promise.all([alice?.close(), bob?.close()])
    if (ui) await stopUi(ui)
    fs.rmSync(profile, { recursive: true, force: true })
  })

  it("shows sessions, a live message, its thread and an artifact preview; survives a server restart", async () => {
    const t0 = Date.now()
    const openThreads = () => page.locator("#timeline [data-testid=thread]").count()
    const step = async (name: string) =>
      void process.stderr.write(
        `browser test: ${name} at ${Date.now() - t0} ms (threads open: ${await openThreads()})\n`
      )
    const errors: Array<string> = []
    const exceptions: Array<string> = []
    page.on("pageerror", (e) => void exceptions.push(e.message))
    page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())))

    await page.goto(ui.url)
    await page.waitForSelector("body[data-loaded=true]")
    await expect.poll(() => page.locator("[data-testid=session]").count()).toBe(2)
    const labels = await page.locator("[data-testid=session] .label").allTextContents()
    expect(labels.sort()).toEqual(["alice", "bob"])
    await page.locator("#conn[data-state=live]").waitFor()

    await step("page loaded, two sessions")
    // A message from a real MCP server process appears without reload; its artifact is a picture of this page.
    const picture = (await page.screenshot()).toString("base64")
    const { sha256 } = await alice.ok("bridge_post_artifact", {
      contentBase64: picture,
      name: "dashboard.png",
      mimeType: "image/png"
    })
    const sentAt = Date.now()
    const sent = await alice.ok("bridge_send_message", {
      to: { label: "bob" },
      subject: "parser plan ready",
      body: "Split the tokenizer first; diagram attached.",
      artifacts: [sha256]
    })
    const row = page.locator(`#timeline > [data-testid=message][data-id="${sent.messageId}"]`)
    await row.waitFor({ timeout: 10_000 })
    const latencyMs = Date.now() - sentAt
    process.stderr.write(`dashboard: message visible ${latencyMs} ms after bridge_send_message returned\n`)
    expect(latencyMs).toBeLessThan(5_000)
    await expect.poll(() => page.locator(`[data-session] [data-testid=unread]`).allTextContents()).toContain("1")

    await step("message seen live")
    // bob replies; the thread opens in place with both messages, oldest first.
    await bob.ok("bridge_send_message", {
      to: { label: "alice" },
      subject: "re: parser plan ready",
      body: "Agreed.",
      replyTo: sent.messageId
    })
    await page.locator("#timeline [data-testid=message]", { hasText: "re: parser plan ready" }).first().waitFor()
    const toggle = page.locator(
      `#timeline > [data-testid=message][data-id="${sent.messageId}"] [data-testid=thread-toggle]`
    )
    await toggle.waitFor()
    await toggle.click()
    const thread = page.locator(`#timeline > [data-testid=message][data-id="${sent.messageId}"] [data-testid=thread]`)
    await expect
      .poll(() => thread.locator("[data-testid=subject]").allTextContents())
      .toEqual(["parser plan ready", "re: parser plan ready"])

    await step("thread expanded")
    // The artifact previews as an image, with its metadata.
    await page
      .locator(`#timeline > [data-testid=message][data-id="${sent.messageId}"] > .chips [data-testid=artifact-chip]`)
      .click()
    const dialog = page.locator("[data-testid=artifact-dialog]")
    await dialog.locator("img").waitFor()
    // naturalWidth is the page's width only once the PNG bytes arrived and decoded.
    const decodedWidth =
      'document.querySelector("#artifact-preview img").complete && document.querySelector("#artifact-preview img").naturalWidth'
    await expect.poll(() => page.evaluate(decodedWidth)).toBe(1366)
    expect(await dialog.locator("#artifact-meta").textContent()).toContain(sha256)
    await page.screenshot({ path: path.join(OUT, "ui-artifact.png") })
    await page.locator("#artifact-close").click()

    await step("artifact previewed")
    // The search box runs the tool's search.
    await page.locator("[data-testid=search]").fill("tokenizer")
    await expect
      .poll(() =>
        page.locator("[data-testid=search-results] > [data-testid=message] > [data-testid=subject]").allTextContents()
      )
      .toEqual(["parser plan ready"])
    await page.locator("#search-clear").click()

    await step("search done")

    // A channel with both sessions: members and history.
    await bob.ok("bridge_join_channel", { channel: "#parser" })
    await alice.ok("bridge_join_channel", { channel: "#parser" })
    await alice.ok("bridge_send_message", {
      to: { channel: "#parser" },
      subject: "tokenizer merged",
      body: "main is green."
    })
    await page.locator(".tabs [data-tab=channels]").click()
    await page.locator("[data-testid=channel][data-channel=parser]").click()
    await expect.poll(() => page.locator("[data-testid=members] .badge").allTextContents()).toEqual(["bob", "alice"])
    await page.locator("[data-testid=channel-detail] [data-testid=subject]", { hasText: "tokenizer merged" }).waitFor()
    await page.locator(".tabs [data-tab=timeline]").click()
    await step("channel shown")
    await page.screenshot({ path: path.join(OUT, "ui-dashboard.png") })
    await page.emulateMedia({ colorScheme: "dark" })
    await page.screenshot({ path: path.join(OUT, "ui-dashboard-dark.png") })
    await page.emulateMedia({ colorScheme: "light" })

    await step("screenshots")
    expect(errors).toEqual([])
    // Restart the server on the same port (while it is down the browser logs refused connections): the page reconnects with the same token and keeps updating.
    await stopUi(ui)
    await page.locator("#conn:not([data-state=live])").waitFor()
    await step("page saw the server go")
    ui = await startUi(bin, home, ui.port)
    await page.locator("#conn[data-state=live]").waitFor({ timeout: 15_000 })
    await step("page reconnected")
    const later = await bob.ok("bridge_broadcast", { subject: "lunch in 5", ttlSec: 600 })
    await page.locator(`#timeline > [data-testid=message][data-id="${later.messageId}"]`).waitFor({ timeout: 10_000 })

    await step("broadcast seen after restart")
    await page.locator(`#tab-timeline [data-testid=message]`, { hasText: "tokenizer merged" }).waitFor()
    // The thread opened earlier stays open across live refreshes and the restart.
    await expect.poll(openThreads).toBe(1)
    await page.screenshot({ path: path.join(OUT, "ui-final.png") })
    expect(exceptions).toEqual([])
  }, 120_000)
})
