/**
 * Display time zones (issue 14): every time a person reads is shown in a configured IANA zone, with the zone named
 * (`2027-01-13 15:00 GMT+8`, `Jan 13 10:00 EST`). Machine output (`--json`, reply.data) stays UTC ISO.
 *
 * The zone's name comes from Intl.DateTimeFormat (`timeZoneName: 'short'`, en-US): an abbreviation where the
 * locale data has one (UTC, EST, EDT, PST), else a GMT offset (`GMT+8` for Asia/Singapore, `GMT+1` for London in
 * summer).
 */

export const DEFAULT_TIME_ZONE = 'UTC';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Whether `name` is an IANA time zone this runtime knows (`UTC`, `Asia/Singapore`); case as the user wrote it. */
export function isValidTimeZone(name: unknown): name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 64) return false;
  try {
    formatterFor(name);
    return true;
  } catch {
    return false;
  }
}

/** The canonical spelling of a known zone (`asia/singapore` → `Asia/Singapore`), or undefined for an unknown one. */
export function canonicalTimeZone(name: string): string | undefined {
  if (!isValidTimeZone(name)) return undefined;
  return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
}

/** What a refused zone's message says after the value. */
export const TIME_ZONE_HINT = 'expected an IANA time zone like UTC, Europe/London, America/New_York or Asia/Singapore';

/** Wall-clock fields of an instant in a zone, and the zone's short name then. */
export interface ZonedParts {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  zoneName: string;
}

export function zonedParts(ms: number, timeZone: string = DEFAULT_TIME_ZONE): ZonedParts {
  const out: ZonedParts = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0, zoneName: '' };
  for (const p of formatterFor(timeZone).formatToParts(new Date(ms))) {
    switch (p.type) {
      case 'year':
        out.year = Number(p.value);
        break;
      case 'month':
        out.month = Number(p.value);
        break;
      case 'day':
        out.day = Number(p.value);
        break;
      case 'hour':
        out.hour = Number(p.value) % 24;
        break;
      case 'minute':
        out.minute = Number(p.value);
        break;
      case 'second':
        out.second = Number(p.value);
        break;
      case 'timeZoneName':
        out.zoneName = p.value;
        break;
      default:
        break;
    }
  }
  return out;
}

/** The zone's offset from UTC at an instant, in ms (Asia/Singapore: +8 h; New York in winter: −5 h). */
export function zoneOffsetMs(ms: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  const p = zonedParts(ms, timeZone);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  return wall - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant whose wall-clock time in the zone is `wallMs` (wall-clock fields encoded as if UTC). A wall time that a
 * daylight-saving change skips maps to the instant after the gap; one it repeats, to the earlier of the two.
 */
export function wallToInstant(wallMs: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  const first = wallMs - zoneOffsetMs(wallMs, timeZone);
  const second = wallMs - zoneOffsetMs(first, timeZone);
  if (first === second) return first;
  // Near a change the two guesses differ: prefer one that reads back as the wall time asked for.
  const earlier = Math.min(first, second);
  const later = Math.max(first, second);
  if (earlier + zoneOffsetMs(earlier, timeZone) === wallMs) return earlier;
  if (later + zoneOffsetMs(later, timeZone) === wallMs) return later;
  return later;
}

/** The zone's short name at an instant: `UTC`, `EST`, `EDT`, `GMT+8`. */
export function zoneName(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  return zonedParts(ms, timeZone).zoneName;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `2027-01-13 15:00 GMT+8`: the date-time of replies, messages and console lines. */
export function formatDateTime(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = zonedParts(ms, timeZone);
  const sec = p.second !== 0 ? `:${pad(p.second)}` : '';
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}${sec} ${p.zoneName}`;
}

/** `Jan 13 15:00 EST`: short enough for a chart subtitle or a table cell. */
export function formatShortDateTime(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = zonedParts(ms, timeZone);
  return `${MONTHS[p.month - 1]} ${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)} ${p.zoneName}`;
}

/** `15:00 SGT`: a time of day, for a line that already says which day. */
export function formatClock(ms: number, timeZone: string = DEFAULT_TIME_ZONE): string {
  const p = zonedParts(ms, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)} ${p.zoneName}`;
}

/** The month abbreviations the short formats use. */
export function monthName(month1: number): string {
  return MONTHS[month1 - 1];
}
