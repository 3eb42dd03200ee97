import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig, mergeConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/domain/errors.js';

function tempYaml(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cw-config-'));
  const p = join(dir, 'c.yaml');
  writeFileSync(p, text);
  return p;
}

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('loads the shipped default.yaml with documented defaults', () => {
    const c = loadConfig({});
    expect(c.market.source).toBe('ccxt:binance');
    expect(c.market.quote).toBe('USDT');
    expect(c.defaults.window).toBe('auto');
    expect(c.baskets.majors.symbols).toEqual(['BTC', 'ETH', 'SOL', 'BNB', 'XRP']);
    expect(c.detector.thresholds.enterZ).toBe('auto');
    expect(c.detector.thresholds.exitZ).toBe(2);
    expect(c.alerts.staleBars).toBe(3);
  });

  it('names the key path and the bad value', () => {
    const p = tempYaml('baskets:\n  majors:\n    symbols: [BTC, ETH]\n    window: seven\n');
    expect(issuesOf(() => loadConfig({ CORRWATCH_CONFIG: p }))).toEqual([
      'baskets.majors.window: expected a duration like 7d or a bar count, got "seven"',
    ]);
  });

  it('reports every problem at once, unknown keys included', () => {
    const issues = issuesOf(() =>
      parseConfig({ market: { source: 'kraken', timout: '5s' }, baskets: { Bad_Name: { symbols: ['BTC', 'ETH'] }, one: { symbols: ['BTC'] } } }),
    );
    expect(issues).toContain('market.source: expected ccxt:<exchange>, csv:<path> or sim:<seed>');
    expect(issues).toContain('market: unknown key "timout"');
    expect(issues.some((i) => i.startsWith('baskets.Bad_Name'))).toBe(true);
    expect(issues).toContain('baskets.one.symbols: a basket needs at least 2 symbols');
  });

  it('refuses exitZ above enterZ (no hysteresis)', () => {
    const issues = issuesOf(() => parseConfig({ detector: { thresholds: { enterZ: 1, exitZ: 1.5 } } }));
    expect(issues).toEqual(['detector.thresholds.exitZ: must be below enterZ (1) for hysteresis, got 1.5']);
  });

  it('refuses an invalid cron schedule', () => {
    expect(issuesOf(() => parseConfig({ schedule: '61 * * * *' }))[0]).toMatch(/^schedule: /);
  });

  it('reports YAML syntax errors and missing files with the path', () => {
    const p = tempYaml('market: [unclosed\n');
    expect(issuesOf(() => loadConfig({ CORRWATCH_CONFIG: p }))[0]).toMatch(/is not valid YAML/);
    expect(issuesOf(() => loadConfig({ CORRWATCH_CONFIG: '/nonexistent/x.yaml' }))).toEqual(['file not found: /nonexistent/x.yaml']);
  });

  it('an override file replaces baskets wholesale and merges other keys; env overrides dataDir and source', () => {
    const p = tempYaml('baskets:\n  l1s:\n    symbols: [sol, avax]\nmarket:\n  quote: USDC\n');
    const c = loadConfig({ CORRWATCH_CONFIG: p, CORRWATCH_DATA_DIR: '/tmp/cw', CORRWATCH_SOURCE: 'sim:7' });
    expect(Object.keys(c.baskets)).toEqual(['l1s']);
    expect(c.baskets.l1s.symbols).toEqual(['SOL', 'AVAX']);
    expect(c.market.quote).toBe('USDC');
    expect(c.market.timeout).toBe('10s');
    expect(c.dataDir).toBe('/tmp/cw');
    expect(c.market.source).toBe('sim:7');
  });

  it('refuses what the hostile test found (issue 11 §6): a symbol twice, a window no basket fills, a bad basket name, an override that is not a mapping', () => {
    const p = tempYaml(
      ['baskets:', '  twice:', '    symbols: [BTC, btc, ETH]', '  huge:', '    symbols: [BTC, ETH]', '    window: 99999999', '    baseline: 100000d', '  "bad name!":', '    symbols: [BTC, ETH]', ''].join('\n'),
    );
    expect(issuesOf(() => loadConfig({ CORRWATCH_CONFIG: p }))).toEqual([
      'baskets.twice.symbols[1]: BTC is listed twice (as BTC already)',
      "baskets.huge.window: 99999999 of 1h bars is 99999999 bars; a basket's window spans at most 50000",
      "baskets.huge.baseline: 100000d of 1h bars is 2400000 bars; a basket's baseline spans at most 50000",
      'baskets["bad name!"]: basket names are 1-32 lowercase letters, digits or -, got "bad name!"',
    ]);
    for (const text of ['- a\n- b\n', 'just a string\n']) {
      expect(issuesOf(() => loadConfig({ CORRWATCH_CONFIG: tempYaml(text) }))[0]).toMatch(/must be a mapping of keys \(like the default config\), not a (list|string)/);
    }
  });

  it('mergeConfig replaces arrays', () => {
    expect(mergeConfig({ a: [1, 2], b: { c: 1, d: 2 } }, { a: [3], b: { d: 5 } })).toEqual({ a: [3], b: { c: 1, d: 5 } });
  });
});

describe("a basket's own thresholds", () => {
  it('replace only the keys they name; the others come from detector.thresholds (not from the built-in defaults)', async () => {
    const { seedBaskets } = await import('../../src/config/baskets.js');
    const config = parseConfig({
      detector: { thresholds: { decoupleZ: -3, stressProbability: 0.9, enterZ: 5 } },
      baskets: { x: { symbols: ['BTC', 'ETH'], thresholds: { exitZ: 1.5 } }, y: { symbols: ['BTC', 'SOL'] } },
    });
    const [x, y] = seedBaskets(config, 0);
    expect(x.thresholds).toEqual({ enterZ: 5, exitZ: 1.5, stressProbability: 0.9, decoupleZ: -3 });
    expect(y.thresholds).toEqual({ enterZ: 5, exitZ: 2, stressProbability: 0.9, decoupleZ: -3 });
    expect(() => parseConfig({ detector: { thresholds: { enterZ: 3 } }, baskets: { x: { symbols: ['BTC', 'ETH'], thresholds: { exitZ: 3.5 } } } })).toThrow(/baskets\.x\.thresholds\.exitZ: must be below enterZ \(3\)/);
  });
});
