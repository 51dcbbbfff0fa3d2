/** Line-based unified diff (3 lines of context) of two texts, with `---`/`+++` headers naming `path`. */
export const unifiedDiff = (path: string, before: string | undefined, after: string | undefined): string => {
  const split = (t: string | undefined) => (t === undefined || t === "" ? [] : t.replace(/\n$/, "").split("\n"))
  const a = split(before)
  const b = split(after)
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const midA = a.slice(start, endA)
  const midB = b.slice(start, endB)
  // Edit script over the differing middle: LCS when small enough, else replace it whole.
  type Op = { readonly kind: " " | "-" | "+"; readonly line: string }
  const ops: Array<Op> = a.slice(0, start).map((line) => ({ kind: " ", line }))
  if (midA.length * midB.length <= 4_000_000) {
    const n = midA.length
    const m = midB.length
    const lcs: Array<Uint32Array> = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1))
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i]![j] = midA[i] === midB[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!)
    let i = 0
    let j = 0
    while (i < n || j < m) {
      if (i < n && j < m && midA[i] === midB[j]) {
        ops.push({ kind: " ", line: midA[i]! })
        i++
        j++
      } else if (j < m && (i === n || lcs[i]![j + 1]! >= lcs[i + 1]![j]!)) ops.push({ kind: "+", line: midB[j++]! })
      else ops.push({ kind: "-", line: midA[i++]! })
    }
  } else {
    for (const line of midA) ops.push({ kind: "-", line })
    for (const line of midB) ops.push({ kind: "+", line })
  }
  for (const line of a.slice(endA)) ops.push({ kind: " ", line })

  const header = `--- ${before === undefined ? "/dev/null" : `a${path}`}\n+++ ${after === undefined ? "/dev/null" : `b${path}`}\n`
  const out: Array<string> = []
  const CONTEXT = 3
  let k = 0
  while (k < ops.length) {
    if (ops[k]!.kind === " ") {
      k++
      continue
    }
    let from = Math.max(0, k - CONTEXT)
    let to = k
    // Extend the hunk while changes are within 2*CONTEXT lines of each other.
    for (;;) {
      while (to < ops.length && ops[to]!.kind !== " ") to++
      let next = to
      while (next < ops.length && ops[next]!.kind === " " && next - to < 2 * CONTEXT) next++
      if (next < ops.length && ops[next]!.kind !== " ") to = next
      else break
    }
    const end = Math.min(ops.length, to + CONTEXT)
    let lineA = 1
    let lineB = 1
    for (let x = 0; x < from; x++) {
      if (ops[x]!.kind !== "+") lineA++
      if (ops[x]!.kind !== "-") lineB++
    }
    const hunk = ops.slice(from, end)
    const countA = hunk.filter((o) => o.kind !== "+").length
    const countB = hunk.filter((o) => o.kind !== "-").length
    out.push(`@@ -${countA === 0 ? lineA - 1 : lineA},${countA} +${countB === 0 ? lineB - 1 : lineB},${countB} @@`)
    for (const o of hunk) out.push(o.kind + o.line)
    k = end
    from = end
  }
  const noEol = (t: string | undefined) => t !== undefined && t !== "" && !t.endsWith("\n")
  const tail = noEol(before) || noEol(after) ? "\\ (no newline at end of file)\n" : ""
  return out.length === 0 ? "" : header + out.join("\n") + "\n" + tail
}
