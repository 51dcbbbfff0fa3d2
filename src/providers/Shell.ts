/** Quotes one word for a POSIX shell, only when needed. */
export const shellQuote = (word: string): string =>
  /^[A-Za-z0-9_/.,:@%+=-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`

/** `NAME=value ...` prefix for a shell command line ("" when there is nothing to set). */
export const envPrefix = (env: Readonly<Record<string, string>>): string =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${shellQuote(v)} `)
    .join("")
