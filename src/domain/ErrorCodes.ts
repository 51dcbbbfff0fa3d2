import type * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Predicate from "effect/Predicate"
import type * as Types from "effect/Types"

/**
 * The one mechanism behind every error module of the product (local bridge, relay store, relay HTTP, cloud
 * client, sb1 protocol): a table keyed by error tag whose rows hold at least the stable upper-case `code`, and the
 * tagged error classes whose `code` is read from it. Each module keeps its own rows and codes.
 */
export interface ErrorRow {
  readonly code: string
}

export interface ErrorBook<Rows extends Readonly<Record<string, ErrorRow>>> {
  readonly rows: Rows
  /** Every tag of the module, in table order. */
  readonly tags: ReadonlyArray<keyof Rows & string>
  /** Every code the module may show (a code may serve several tags). */
  readonly codes: ReadonlyArray<Rows[keyof Rows]["code"]>
  /** The stable code of an error of this module. */
  readonly codeOf: <Tag extends keyof Rows & string>(error: { readonly _tag: Tag }) => Rows[Tag]["code"]
  /**
   * Whether `u` is an error of this module: its tag is a row of the table and, once the module makes its classes
   * with `CodedError`, it is an instance of one of them (modules share tags: the protocol's BodyTooLarge is not
   * the local one).
   */
  readonly is: (u: unknown) => u is { readonly _tag: keyof Rows & string; readonly message: string }
}

/** Which book made a CodedError class: set on its prototype. */
const madeBy = Symbol.for("session-bridge/ErrorBook")
const booksWithClasses = new WeakSet<object>()

export const errorBook = <const Rows extends Readonly<Record<string, ErrorRow>>>(rows: Rows): ErrorBook<Rows> => {
  const tags = Object.keys(rows) as Array<keyof Rows & string>
  const book: ErrorBook<Rows> = {
    rows,
    tags,
    codes: [...new Set(tags.map((tag) => rows[tag]!.code))] as Array<Rows[keyof Rows]["code"]>,
    codeOf: (error) => rows[error._tag]!.code,
    is: (u): u is { readonly _tag: keyof Rows & string; readonly message: string } =>
      u instanceof Error &&
      Predicate.hasProperty(u, "_tag") &&
      typeof u._tag === "string" &&
      Object.hasOwn(rows, u._tag) &&
      (!booksWithClasses.has(book) || (Predicate.hasProperty(u, madeBy) && u[madeBy] === book))
  }
  return book
}

/** Rows for a table that holds nothing but codes: `{ Tag: "CODE" }` becomes `{ Tag: { code: "CODE" } }`. */
export const codeRows = <const Codes extends Readonly<Record<string, string>>>(
  codes: Codes
): { readonly [K in keyof Codes]: { readonly code: Codes[K] } } =>
  Object.fromEntries(Object.entries(codes).map(([tag, code]) => [tag, { code }])) as {
    readonly [K in keyof Codes]: { readonly code: Codes[K] }
  }

/** The constructor `CodedError` returns: `Data.TaggedError(tag)`'s, with a `code` read from the table. */
export type CodedErrorClass<Tag extends string, Code extends string> = new <A extends Record<string, any> = {}>(
  args: Types.VoidIfEmpty<{ readonly [P in keyof A as P extends "_tag" ? never : P]: A[P] }>
) => Cause.YieldableError & { readonly _tag: Tag; readonly code: Code } & Readonly<A>

/**
 * The base class of one table row: a `Data.TaggedError` with the row's tag whose `code` getter reads the table.
 * `class BacklogFull extends CodedError(bridgeErrors)("BacklogFull")<{ readonly unread: number }> {}`
 */
export const CodedError =
  <Rows extends Readonly<Record<string, ErrorRow>>>(book: ErrorBook<Rows>) =>
  <Tag extends keyof Rows & string>(tag: Tag): CodedErrorClass<Tag, Rows[Tag]["code"]> => {
    const code = book.rows[tag]!.code
    class Coded extends Data.TaggedError(tag) {
      get code(): string {
        return code
      }
    }
    Object.defineProperty(Coded.prototype, madeBy, { value: book })
    booksWithClasses.add(book)
    return Coded as unknown as CodedErrorClass<Tag, Rows[Tag]["code"]>
  }
