import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_EXPORT_BYTES } from '../../src/domain/limits.js';
import type { NotificationRecord } from '../../src/store/types.js';
import { expectAlertsCsv, expectAuditCsv, expectForecastCsv, expectMatrixCsv, parseCsv } from '../helpers/csv-check.js';
import { ADMIN, HOUR, NOW, USER, expectOk, expectUserError, makeEnv, type TestEnv } from './helpers.js';

// `/corr export ...` (issue 14): the CSV that --csv FILE writes on the CLI, attached to the answer (never a path).

const rec = (episode: number, kind: NotificationRecord['kind'], at: number, avg: number, extra: Partial<NotificationRecord> = {}): NotificationRecord => ({
  id: `majors:${episode}:${kind}`,
  basket: 'majors',
  episode,
  kind,
  at,
  createdAt: at,
  payload: { avgCorrelation: avg, regime: kind === 'firing' ? 'stressed' : 'calm', reason: 'avg ρ 0.71, z 3.2 ≥ 2.5, "quoted"' },
  deliveries: { 'slack:C0GENERAL': { status: 'sent', attempts: 1 }, 'discord:1300000000000000001': { status: 'failed', attempts: 3, error: 'Missing Access, code 50001' } },
  ...extra,
});

describe('/corr export', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await makeEnv();
  });

  it('export matrix majors: a CSV of the matrix the JSON holds, one row per symbol, attached (no chart drawn)', async () => {
    const r = await env.rt.run(USER, '/corr export matrix majors');
    expectOk(r);
    const json = (await env.rt.run(USER, 'matrix majors')).reply.data as { symbols: string[]; matrix: number[][] };
    const att = r.reply.attachment!;
    expect(att.mime).toBe('text/csv');
    expect(att.filename).toBe('matrix-BTC-ETH-SOL-BNB-XRP.csv');
    expect(Buffer.isBuffer(att.content)).toBe(true);
    expectMatrixCsv(att.content, json);
    expect(r.reply.data).toEqual(json);
    expect(r.reply.chart).toBeUndefined();
    expect(r.reply.text).toMatch(/^5 rows, \d+ B\./);
  });

  it('export forecast majors 24h: the path (at, mean, lo, hi) and the pairs, as forecast --json has them', async () => {
    const r = await env.rt.run(USER, 'export forecast majors 24h');
    expectOk(r);
    const json = (await env.rt.run(USER, 'forecast majors 24h')).reply.data as Parameters<typeof expectForecastCsv>[1];
    expect(r.reply.attachment!.filename).toBe('forecast-majors-24h.csv');
    expectForecastCsv(r.reply.attachment!.content, json);
    expect(parseCsv(r.reply.attachment!.content).columns).toEqual(['section', 'at', 'mean', 'lo', 'hi', 'a', 'b', 'now', 'forecast']);
  });

  it('export alerts majors: one row per alert, deliveries summarized, quoting survives commas and quotes; nothing to export is said', async () => {
    const empty = await env.rt.run(USER, 'export alerts majors');
    expectOk(empty);
    expect(empty.reply.attachment).toBeUndefined();
    expect(empty.reply.text).toContain('Nothing to export.');
    await env.store.addNotification(rec(1, 'firing', NOW - 10 * HOUR, 0.71, { acknowledged: { by: 'ada, the admin', platform: 'slack', at: NOW - 9 * HOUR } }));
    await env.store.addNotification(rec(1, 'resolved', NOW - 2 * HOUR, 0.42));
    const r = await env.rt.run(USER, 'export alerts majors');
    expectOk(r);
    const json = (await env.rt.run(USER, 'alerts history majors')).reply.data as NotificationRecord[];
    expect(json).toHaveLength(2);
    expect(r.reply.attachment!.filename).toBe('alerts-majors.csv');
    expectAlertsCsv(r.reply.attachment!.content, json);
    expect(parseCsv(r.reply.attachment!.content).rows[1].acknowledgedBy).toBe('ada, the admin');
  });

  it('chat input can never name a file: --csv / csv: is refused, nothing attached', async () => {
    for (const line of ['export matrix majors --csv /tmp/x.csv', 'matrix majors csv:/tmp/x.csv', 'alerts history majors --csv x.csv']) {
      const r = await env.rt.run(ADMIN, line);
      expectUserError(r);
      expect(r.reply.attachment).toBeUndefined();
    }
  });

  it('export audit is for admins (private refusal to others); the CSV is the audit --json rows', async () => {
    const refused = await env.rt.run(USER, 'export audit');
    expect(refused.outcome).toBe('refused');
    expect(refused.reply.ephemeral).toBe(true);
    expect(refused.reply.attachment).toBeUndefined();
    expectOk(await env.rt.run(ADMIN, 'basket set majors window 100'));
    expectOk(await env.rt.run(ADMIN, 'alerts snooze majors 4h'));
    const r = await env.rt.run(ADMIN, 'export audit');
    expectOk(r);
    expect(r.reply.ephemeral).toBe(true);
    const json = (await env.rt.run(ADMIN, 'audit')).reply.data as Parameters<typeof expectAuditCsv>[1];
    expect(json.map((e) => e.action)).toEqual(['alerts.snooze', 'basket.set']);
    expectAuditCsv(r.reply.attachment!.content, json);
  });

  it(`past ${MAX_EXPORT_BYTES / 1024} kB an export is refused with the size and what to do instead`, async () => {
    const big = await makeEnv();
    for (let i = 0; i < 5000; i++) {
      await big.store.appendAudit({ at: NOW - i * 1000, platform: 'slack', userId: 'UADMIN01', action: 'basket.set', basket: 'majors', details: { key: 'window', value: `${i}`, note: 'x'.repeat(40) } });
    }
    const ok = await big.rt.run(ADMIN, 'export audit --limit 100');
    expectOk(ok);
    expect(ok.reply.attachment!.content.length).toBeLessThan(MAX_EXPORT_BYTES);
    const r = await big.rt.run(ADMIN, 'export audit --limit 5000');
    const msg = expectUserError(r, /^audit\.csv would be \d+ kB \(5000 rows\), more than a chat export takes \(512 kB\)/);
    expect(msg).toContain("the CLI's --csv FILE");
    expect(r.reply.attachment).toBeUndefined();
  });

  it('an unknown export suggests the nearest; bare export lists what can be exported', async () => {
    expectUserError(await env.rt.run(USER, 'export matirx majors'), 'unknown export subcommand "matirx"; did you mean matrix?');
    const help = await env.rt.run(USER, 'export');
    expectOk(help);
    expect(help.reply.text).toContain('export matrix');
    expect(help.reply.text).toContain('export alerts BASKET');
    expect(help.reply.text).not.toContain('export audit'); // admins only
  });
});
