import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { formatDateTime } from '../../src/domain/timezone.js';
import type { NotificationRecord } from '../../src/store/types.js';
import { ADMIN, HOUR, NOW, USER, expectOk, makeEnv } from './helpers.js';
import { iso } from './reference.js';

/** The shipped config with display.timezone America/New_York. */
const nyConfig = () => ({ ...loadConfig({}), display: { timezone: 'America/New_York' } });

/** The latest closed 1h bar at NOW (2024-03-01 12:30 UTC) opened at 11:00 UTC. */
const T = Math.floor(NOW / HOUR) * HOUR - HOUR;

describe('replies in the display zone; JSON stays UTC ISO', () => {
  it('display.timezone: corr and compare show their windows in it, the data in UTC ISO', async () => {
    const env = await makeEnv({ market: 'sim', config: nyConfig() });
    const utc = await makeEnv({ market: 'sim' });
    const r = await env.rt.run(USER, 'corr BTC ETH');
    const u = await utc.rt.run(USER, 'corr BTC ETH');
    expectOk(r);
    const window = r.reply.fields!.find((f) => f.name === 'window')!.value;
    // 2024-03-01 11:00 UTC is 06:00 EST.
    expect(window).toMatch(/ → 2024-03-01 06:00 EST$/);
    expect(u.reply.fields!.find((f) => f.name === 'window')!.value).toMatch(/ → 2024-03-01 11:00 UTC$/);
    expect(r.reply.data).toEqual(u.reply.data);
    expect((r.reply.data as { to: string }).to).toBe(iso(T));
    const c = await env.rt.run(USER, 'compare BTC ETH');
    expect(c.reply.fields!.find((f) => f.name === 'latest ρ')!.value).toMatch(/→ 2024-03-01 06:00 EST\)$/);
  });

  it("a basket's own zone wins for its regime reply and alert tables; data keeps UTC ISO", async () => {
    const env = await makeEnv({ market: 'sim', config: nyConfig() });
    expectOk(await env.rt.run(ADMIN, 'basket set majors timezone Asia/Singapore'));
    const r = await env.rt.run(USER, 'regime majors');
    expectOk(r);
    // 11:00 UTC is 19:00 in Singapore.
    expect(r.reply.footer).toContain('bar 2024-03-01 19:00 GMT+8');
    const data = r.reply.data as { since: string; reading: { at: string } };
    expect(data.reading.at).toBe(iso(T));
    expect(r.reply.fields!.find((f) => f.name === 'since')!.value).toBe(formatDateTime(Date.parse(data.since), 'Asia/Singapore'));
    const rec: NotificationRecord = { id: 'majors:1:firing', basket: 'majors', episode: 1, kind: 'firing', at: T, createdAt: T, payload: { avgCorrelation: 0.7 }, deliveries: {} };
    await env.store.addNotification(rec);
    const h = await env.rt.run(USER, 'alerts history majors');
    expect(h.reply.text).toMatch(/^majors:1:firing\s+2024-03-01 19:00 GMT\+8\s+firing/m);
    expect((h.reply.data as NotificationRecord[])[0].at).toBe(T);
    const s = await env.rt.run(ADMIN, 'alerts snooze majors 4h');
    // NOW + 4h = 16:30 UTC = 00:30 the next day in Singapore.
    expect(s.reply.text).toContain('until 2024-03-02 00:30 GMT+8.');
    expect(s.reply.data).toEqual({ basket: 'majors', until: iso(NOW + 4 * HOUR) });
  });
});
