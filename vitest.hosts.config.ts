import { defineConfig } from "vitest/config"

/** The real host CLIs (npm run test:hosts): installs pinned versions into .cache/hosts, then asks each host. */
export default defineConfig({
  test: {
    include: ["test/hosts/**/*.test.ts"],
    globalSetup: ["test/hosts/globalSetup.ts"],
    testTimeout: 300_000,
    hookTimeout: 900_000,
    fileParallelism: false,
    pool: "forks",
    reporters: ["default", "./test/support/PlainSummaryReporter.ts"]
  }
})
