import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/hosts/**"],
    setupFiles: ["test/support/setup.ts"],
    globalSetup: ["test/support/scratchTmp.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    reporters: ["default", "./test/support/PlainSummaryReporter.ts"]
  }
})
