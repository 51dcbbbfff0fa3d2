import { normalize } from "node:path"

/**
 * An absolute folder as the prefix its files are joined to by hand (`${prefix}/${rel}`): normalized once, without a
 * trailing slash, "" for the root. The store and the hook's fast path join checked store paths this way instead of
 * calling `path.join` per file: `join` normalizes the whole path each time, and in a process that lives for one
 * prompt the calls were enough for V8 to compile its normalizer with the optimizing compiler, a job of about 2.5 ms
 * on a helper thread, which on a busy or pinned core delayed the prompt by 3–6 ms.
 */
export const folderPrefix = (folder: string): string => normalize(folder).replace(/\/+$/, "")
