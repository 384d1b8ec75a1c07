/**
 * @module store/ranges
 * The value ranges the engine and every store agree on, so that a value one accepts the other never refuses: the
 * Rust core has the same numbers in `src/json_args.rs` (`tests/store/ranges.test.ts` keeps them equal).
 */

/** The lowest warmness score. */
export const WARMNESS_MIN = 0;
/** The highest warmness score. */
export const WARMNESS_MAX = 1_000_000;
/** The largest Pipedrive id (and outbox job id) a store column holds: 32-bit signed, as the schema's `Int`. */
export const MAX_PIPEDRIVE_ID = 2_147_483_647;
