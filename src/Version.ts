/** The package version; replaced at build time from package.json. */
declare const __SESSION_BRIDGE_VERSION__: string | undefined
export const VERSION: string = typeof __SESSION_BRIDGE_VERSION__ === "string" ? __SESSION_BRIDGE_VERSION__ : "0.0.0-dev"
