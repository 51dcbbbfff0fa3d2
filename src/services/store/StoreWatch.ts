import * as Stream from "effect/Stream"
import type { StoreError } from "../../domain/Errors.js"
import type { StoreChange, StoreShape } from "./Store.js"

/** Changes under a directory (created if missing) as a Stream, over the store's subscription. */
export const watch = (store: StoreShape, dir: string): Stream.Stream<StoreChange, StoreError> =>
  Stream.asyncScoped<StoreChange, StoreError>((emit) => store.subscribe(dir, (change) => void emit.single(change)))
