import { describe, expect, it } from 'vitest';
import { canonicalTimeZone, formatClock, formatDateTime, formatShortDateTime, isValidTimeZone, wallToInstant, zoneOffsetMs } from '../../src/domain/timezone.js';

const at = (iso: string) => Date.parse(iso);
const H = 3_600_000;
const NY = 'America/New_York';

describe('display time zones', () => {
  it('formats in the zone with the zone named; UTC by default', () => {
    expect(formatDateTime(at('2027-01-13T07:00:00Z'))).toBe('2027-01-13 07:00 UTC');
    expect(formatDateTime(at('2027-01-13T07:00:00Z'), 'Asia/Singapore')).toBe('2027-01-13 15:00 GMT+8');
    expect(formatShortDateTime(at('2027-01-13T20:00:00Z'), NY)).toBe('Jan 13 15:00 EST');
    expect(formatClock(at('2027-01-13T07:00:00Z'), 'Asia/Singapore')).toBe('15:00 GMT+8');
    expect(formatDateTime(at('2027-01-13T07:00:30Z'))).toBe('2027-01-13 07:00:30 UTC');
  });

  it('follows New York across the spring change (2026-03-08: 02:00 EST is 03:00 EDT)', () => {
    expect(formatDateTime(at('2026-03-08T06:59:00Z'), NY)).toBe('2026-03-08 01:59 EST');
    expect(formatDateTime(at('2026-03-08T07:00:00Z'), NY)).toBe('2026-03-08 03:00 EDT');
    expect(zoneOffsetMs(at('2026-03-08T06:00:00Z'), NY)).toBe(-5 * H);
    expect(zoneOffsetMs(at('2026-03-08T08:00:00Z'), NY)).toBe(-4 * H);
    // 02:30 does not exist that night: the instant after the gap.
    expect(wallToInstant(Date.UTC(2026, 2, 8, 2, 30), NY)).toBe(at('2026-03-08T07:30:00Z'));
    expect(wallToInstant(Date.UTC(2026, 2, 8, 0, 0), NY)).toBe(at('2026-03-08T05:00:00Z'));
  });

  it('follows New York across the autumn change (2026-11-01: 01:30 happens twice)', () => {
    expect(formatDateTime(at('2026-11-01T05:30:00Z'), NY)).toBe('2026-11-01 01:30 EDT');
    expect(formatDateTime(at('2026-11-01T06:30:00Z'), NY)).toBe('2026-11-01 01:30 EST');
    expect(wallToInstant(Date.UTC(2026, 10, 1, 1, 30), NY)).toBe(at('2026-11-01T05:30:00Z'));
    expect(wallToInstant(Date.UTC(2026, 10, 2, 0, 0), NY)).toBe(at('2026-11-02T05:00:00Z'));
  });

  it('follows London between GMT and summer time (2026-03-29, 2026-10-25)', () => {
    expect(formatDateTime(at('2026-03-29T00:59:00Z'), 'Europe/London')).toBe('2026-03-29 00:59 GMT');
    expect(formatDateTime(at('2026-03-29T01:00:00Z'), 'Europe/London')).toBe('2026-03-29 02:00 GMT+1');
    expect(formatDateTime(at('2026-10-25T00:30:00Z'), 'Europe/London')).toBe('2026-10-25 01:30 GMT+1');
    expect(formatDateTime(at('2026-10-25T01:30:00Z'), 'Europe/London')).toBe('2026-10-25 01:30 GMT');
  });

  it('knows IANA zones and spells them canonically', () => {
    expect(isValidTimeZone('Asia/Singapore')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone(8)).toBe(false);
    expect(canonicalTimeZone('asia/singapore')).toBe('Asia/Singapore');
    expect(canonicalTimeZone('Nowhere/Town')).toBeUndefined();
  });
});
