#!/usr/bin/env node
/** `amc-bridge`: the renamed predecessor's name. One deprecation line on stderr, then the same behaviour. */
process.stderr.write("amc-bridge is deprecated and will be removed in v3; use `session-bridge` (same commands).\n")
await import("./bin.js")
