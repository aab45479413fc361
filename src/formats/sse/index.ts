/** Server-Sent Events framing (WHATWG HTML, §9.2 "Server-sent events"): incremental parser and encoder. */
export { createSseParser, type SseEvent, type SseParser } from './parser.ts';
export { encodeSseEvent, SSE_DONE } from './encoder.ts';
