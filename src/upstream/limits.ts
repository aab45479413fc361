// Every fixed limit of outbound calls in one place. Timeouts are per provider and live in the config schema
// (config is a leaf and cannot import from here); these are the limits no config changes.

/** Largest non-streamed upstream body Rampart buffers (a JSON completion or embeddings answer). */
export const MAX_UPSTREAM_BODY_BYTES = 32 * 1024 * 1024;

/** Largest upstream error body read, only to find a retry hint in it; the rest is discarded unread. */
export const MAX_UPSTREAM_ERROR_BODY_BYTES = 16 * 1024;

/**
 * Largest streamed upstream answer relayed. Idle timeouts cannot stop an upstream that never falls silent, so a
 * stream has a byte budget too: far above any real completion (long answers with inline images are tens of MB).
 */
export const MAX_UPSTREAM_STREAM_BYTES = 256 * 1024 * 1024;

/** Largest response header section accepted from an upstream (Node's own default, pinned here on purpose). */
export const MAX_UPSTREAM_HEADER_BYTES = 16 * 1024;

/** How long an idle pooled connection to an upstream is kept for reuse. */
export const UPSTREAM_KEEP_ALIVE_MS = 30_000;

/** Most concurrent connections to one upstream origin. */
export const UPSTREAM_CONNECTIONS_PER_ORIGIN = 256;
