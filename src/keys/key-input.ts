import { KeyValidationError } from './key-rules.ts';

// Text forms of key settings, shared by the CLI and (later) the management API, so both accept the same spellings.

const DURATION = /^(\d{1,6})([hdw])$/;
const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
// Dates need an explicit zone when they carry a time: "2026-01-01T10:00" would otherwise mean the server's local time.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/**
 * `30d`, `12h`, `2w` (from `now`), or an ISO-8601 date (`2026-12-31`, meaning 00:00 UTC that day) or date-time with
 * `Z` or an offset. Minutes and months are not offered: `6m` would be read one way by half of the operators.
 */
export function parseExpiry(text: string, now: Date): Date {
  const trimmed = text.trim();
  const duration = DURATION.exec(trimmed);
  if (duration) {
    const amount = Number(duration[1]);
    const unit = duration[2] as keyof typeof UNIT_MS;
    if (amount === 0) throw new KeyValidationError(`expiry "${trimmed}" must be a positive duration`);
    return new Date(now.getTime() + amount * UNIT_MS[unit]);
  }
  const iso = ISO_DATE.exec(trimmed);
  if (iso) {
    const at = new Date(iso[4] === undefined ? `${trimmed}T00:00:00Z` : trimmed);
    // Date() rolls 2026-02-30 over to March; a date that does not survive the round trip does not exist.
    const [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    const valid = !Number.isNaN(at.getTime()) && Number(iso[4] ?? 0) < 24 && Number(iso[5] ?? 0) < 60 && Number(iso[6] ?? 0) < 60;
    const real = new Date(Date.UTC(year, month - 1, day));
    if (valid && real.getUTCFullYear() === year && real.getUTCMonth() === month - 1 && real.getUTCDate() === day) return at;
  }
  throw new KeyValidationError(`expiry "${clip(trimmed)}" must be a duration like 30d, 12h or 2w, or an ISO-8601 date like 2026-12-31 or 2026-12-31T18:00:00Z`);
}

/** A positive decimal integer, digits only (no `1e3`, `0x10`, `+5` or `5.0`). */
export function parseCount(text: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,16}$/.test(trimmed) || Number(trimmed) < 1) throw new KeyValidationError(`"${clip(trimmed)}" is not a positive integer`);
  return Number(trimmed);
}

/** Comma-separated values (possibly from a repeated flag) as one list; an empty entry is refused as a likely typo. */
export function parseList(values: readonly string[]): string[] {
  const items = values.flatMap((value) => value.split(',')).map((item) => item.trim());
  if (items.some((item) => item === '')) throw new KeyValidationError(`"${clip(values.join(','))}" has an empty entry`);
  return items;
}

function clip(value: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > 60 ? `${clean.slice(0, 60)}…` : clean;
}
