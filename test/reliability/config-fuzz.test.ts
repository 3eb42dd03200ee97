import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { detectorConfigFor, policyConfigFor } from '../../src/config/basket-settings.js';
import { seedBaskets } from '../../src/config/baskets.js';
import { DEFAULT_CONFIG_PATH, loadConfig, mergeConfig, parseConfig } from '../../src/config/load.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import { ConfigError } from '../../src/domain/errors.js';
import { MAX_BASKET_BARS } from '../../src/domain/limits.js';
import { parseDuration } from '../../src/domain/timeframe.js';
import { basketSchema as storedBasketSchema } from '../../src/store/schema.js';
import { toStored } from '../../src/store/stored.js';

/**
 * Issue 11, hostile input, "config fuzzing likewise": random and adversarial configurations (wrong types at every
 * key, huge, negative and non-finite numbers, 100k-character strings, zero-width and direction marks, mentions in
 * basket names, a symbol twice in different case, 10,000 symbols, windows of 0, -1 and 1e12, unknown keys, documents
 * that are not mappings, YAML alias bombs) through parseConfig, loadConfig and the CLI. Each one is either a
 * configuration corrwatch can run (its baskets seed a store that accepts them and a detector that takes them), or a
 * ConfigError whose every line names a key path and says what is wrong, in bounded text: never "Invalid input"
 * alone, never a stack trace, never a TypeError or RangeError.
 */

const ROOT = join(import.meta.dirname, '..', '..');
const DEFAULTS: unknown = parseYaml(readFileSync(DEFAULT_CONFIG_PATH, 'utf8'));
const TOP_KEYS = Object.keys(configSchema.shape);
const HUGE = 'x'.repeat(100_000);
/** Longest line and whole message a ConfigError may have (a 100 KB value must not come back). */
const MAX_LINE = 400;
const MAX_MESSAGE = 12_000;

const tmp = mkdtempSync(join(tmpdir(), 'corrwatch-config-fuzz-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------------------------
// Values

const hostileStrings = [
  '',
  ' ',
  'auto',
  'all',
  '<!channel>',
  '<!here>',
  '@everyone',
  '<@U123ABC>',
  '*bold* `code`',
  '\u200b',
  'BTC\u200d',
  '\u202eDTSU',
  'a\nb',
  'a\u0000b',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1',
  '1e12',
  '1e21',
  '99999999',
  '9'.repeat(400),
  '0d',
  '0.0001s',
  '-7d',
  '7d',
  '168',
  '1h',
  '1s',
  '1.5s',
  '99999w',
  '__proto__',
  'constructor',
  'http://127.0.0.1:1/x',
  '../../etc/passwd',
  'csv:/nonexistent.csv',
  'sim:42',
  'ccxt:binance',
  '* * * * * *',
  '61 * * * *',
  HUGE,
  `<!channel>${HUGE}`,
];
const hostileNumbers = [0, -0, -1, 1, 2, 19, 20, 0.5, 1.5, -0.5, 1e12, -1e12, 1e21, 2 ** 31, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, NaN, Infinity, -Infinity];
const tenThousandSymbols = Array.from({ length: 10_000 }, (_, i) => `S${i}`);
const hostileLists = [[], ['BTC'], ['BTC', 'btc', 'ETH'], ['BTC', 'ETH', 'ETH/BTC'], ['<!channel>', '@everyone'], tenThousandSymbols, Array.from({ length: 10_000 }, () => 'btc'), [HUGE, HUGE], [1, 2], [null], [[]], [{}]];

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...hostileStrings) },
  { weight: 3, arbitrary: fc.constantFrom(...hostileNumbers) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null, undefined) },
);
/** Any value a YAML document can hold at a key (and some it cannot, like undefined and NaN-free JSON). */
const anyValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 6, arbitrary: scalar },
    { weight: 1, arbitrary: fc.constantFrom(...hostileLists) },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
    { weight: 1, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...hostileStrings), fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 3 }) },
  ),
})).value;

/** Values that are plausible at a key (so that a good share of the configs are valid and go all the way through). */
const windowLike = fc.constantFrom<unknown>('auto', '7d', '168', 20, 168, 50_000, 50_001, '12h', '90d', '0.0001s', 0, -1, 1, 1e12, 1e21, '1e12', 'all', '500');
const timeframeLike = fc.constantFrom<unknown>('1m', '5m', '1h', '4h', '1d', '1w', '1s', '1.5s', '0.5s', '60d', '99999w', '1M', '1y', 60);
const symbolList = fc.oneof(
  fc.uniqueArray(fc.constantFrom('BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ETH/BTC', 'ada', 'DOT'), { minLength: 0, maxLength: 6 }),
  fc.array(fc.constantFrom('BTC', 'btc', 'ETH', 'eth', 'Btc'), { minLength: 2, maxLength: 4 }),
  fc.constantFrom(...hostileLists),
);
const plausible: Record<string, fc.Arbitrary<unknown>> = {
  'market.source': fc.constantFrom('sim:1', 'ccxt:binance', 'ccxt:Binance', 'csv:/tmp/x.csv', 'sim:-1', 'kraken'),
  'market.quote': fc.constantFrom('USDT', 'usd', 'X', 'TOOLONGQUOTE1'),
  'market.timeout': fc.constantFrom('10s', '0.001s', '1h', '61m', '30d', `${'9'.repeat(400)}s`),
  'market.baseUrl': fc.constantFrom(null, 'http://127.0.0.1:1', 'not a url'),
  'market.maxRetries': fc.constantFrom(0, 3, 10, 11, -1, 2.5),
  'market.maxBars': fc.constantFrom(100, 5000, 99, 100_001),
  'defaults.timeframe': timeframeLike,
  'defaults.window': windowLike,
  'defaults.method': fc.constantFrom('pearson', 'spearman', 'kendall'),
  dataDir: fc.constantFrom(join(tmp, 'data'), '', 'a\u0000b'),
  'cache.maxBars': fc.constantFrom(100, 99, 1_000_000, 1_000_001),
  'store.maxHistory': fc.constantFrom(10, 9, 2000),
  'store.maxNotifications': fc.constantFrom(10, 5000, 1e12),
  'store.maxAudit': fc.constantFrom(10, 10_000_000, 10_000_001),
  schedule: fc.constantFrom('auto', '*/5 * * * * *', '1 * * * *', '61 * * * *', 'every hour'),
  'detector.baseline': windowLike,
  'detector.falseAlarmYears': fc.constantFrom(0.1, 1, 10, 1000, 0.05, 1001),
  'detector.thresholds.enterZ': fc.constantFrom('auto', 0.5, 3, 10, 0.4, 11, 1e308),
  'detector.thresholds.exitZ': fc.constantFrom(-5, 0, 2, 4.9, 9, 100, -1e308),
  'detector.thresholds.stressProbability': fc.constantFrom(0.5, 0.8, 1, 0.49, 1.01),
  'detector.thresholds.decoupleZ': fc.constantFrom(-10, -2, -0.5, -0.1, -11, -1e-300),
  'detector.states': fc.constantFrom(2, 3, 4, '2'),
  'alerts.forBars': fc.constantFrom(1, 100, 0, 101),
  'alerts.minDwellBars': fc.constantFrom(0, 6, 1000, 1001),
  'alerts.cooldownBars': fc.constantFrom(0, 24, 10_000, 10_001),
  'alerts.staleBars': fc.constantFrom(1, 3, 1000, 0),
  'alerts.giveUpAfter': fc.constantFrom('1h', '30d', '0s', '1 hour'),
  'admins.slack': fc.constantFrom([], ['U1'], [1], '<!channel>'),
  'admins.discord.roles': fc.constantFrom([], ['123'], [null]),
  'admins.discord.users': fc.constantFrom([], ['123'], 'x'),
  'log.level': fc.constantFrom('info', 'silent', 'verbose'),
};
const basketName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('majors', 'l1-coins', 'x', 'a'.repeat(32)) },
  { weight: 1, arbitrary: fc.constantFrom('a'.repeat(33), 'Majors', '<!channel>', '@everyone', 'maj\u200bors', '__proto__', 'constructor', '', HUGE) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 10 }) },
);
const basketKeys: Record<string, fc.Arbitrary<unknown>> = {
  symbols: symbolList,
  timeframe: timeframeLike,
  window: windowLike,
  baseline: windowLike,
  'thresholds.enterZ': plausible['detector.thresholds.enterZ'],
  'thresholds.exitZ': plausible['detector.thresholds.exitZ'],
  'thresholds.decoupleZ': plausible['detector.thresholds.decoupleZ'],
};
const goodBasket = fc.record(
  { symbols: fc.uniqueArray(fc.constantFrom('BTC', 'ETH', 'SOL', 'BNB'), { minLength: 2, maxLength: 4 }), timeframe: fc.constantFrom('1m', '1h', '4h', '1d'), window: fc.constantFrom('auto', '7d', '90d', '100') },
  { requiredKeys: ['symbols'] },
);

/** One edit of a configuration: a value (plausible or hostile) at a key path, which may be unknown or hostile. */
const edit: fc.Arbitrary<[string[], unknown]> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...Object.keys(plausible)).chain((k) => fc.tuple(fc.constant(k.split('.')), fc.oneof({ weight: 3, arbitrary: plausible[k] }, { weight: 1, arbitrary: anyValue }))) },
  { weight: 2, arbitrary: fc.constantFrom(...Object.keys(plausible)).chain((k) => fc.tuple(fc.constant(k.split('.')), anyValue)) },
  {
    weight: 4,
    arbitrary: fc.tuple(basketName, fc.constantFrom(...Object.keys(basketKeys))).chain(([name, k]) =>
      fc.tuple(fc.constant<string[]>(['baskets', name, ...k.split('.')]), fc.oneof({ weight: 3, arbitrary: basketKeys[k] }, { weight: 1, arbitrary: anyValue })),
    ),
  },
  { weight: 2, arbitrary: fc.tuple(basketName.map((n) => ['baskets', n]), fc.oneof({ weight: 3, arbitrary: goodBasket }, { weight: 1, arbitrary: anyValue })) },
  // whole sections, unknown keys at any depth
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...TOP_KEYS).map((k) => [k]), anyValue) },
  { weight: 1, arbitrary: fc.tuple(fc.tuple(fc.constantFrom('', ...TOP_KEYS), fc.constantFrom('timout', 'Window', '__proto__', '<!channel>', HUGE, '\u200b')).map(([a, b]) => (a ? [a, b] : [b])), anyValue) },
);

/** Set `value` at `path` in `doc`, making mappings on the way (own keys, `__proto__` included). */
function setPath(doc: Record<string, unknown>, path: string[], value: unknown): void {
  let at = doc;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      Object.defineProperty(at, key, { value, enumerable: true, writable: true, configurable: true });
      return;
    }
    const next = Object.hasOwn(at, key) ? at[key] : undefined;
    const obj = typeof next === 'object' && next !== null && !Array.isArray(next) ? (next as Record<string, unknown>) : {};
    Object.defineProperty(at, key, { value: obj, enumerable: true, writable: true, configurable: true });
    at = obj;
  });
}

/** An override file's content: a few edits on a mapping, now and then a document that is no mapping at all. */
const override: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 12, arbitrary: fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    const doc: Record<string, unknown> = {};
    for (const [path, value] of edits) setPath(doc, path, value);
    return doc;
  }) },
  { weight: 1, arbitrary: anyValue },
);

// ---------------------------------------------------------------------------------------------------------------
// What must hold

const PATH_START = new RegExp(`^(\\(top level\\)|(${TOP_KEYS.join('|')})(\\.|\\[|: ))`);

/** A ConfigError: each line a key path (or the file) and what is wrong with it, in bounded text. */
function expectConfigError(e: unknown, what: string, file?: string): void {
  if (!(e instanceof ConfigError)) throw new Error(`${what}: not a ConfigError but ${(e as Error)?.name}: ${String((e as Error)?.stack ?? e).slice(0, 2000)}`);
  expect(e.message.length, what).toBeLessThanOrEqual(MAX_MESSAGE);
  expect(e.message, what).not.toMatch(/\n\s+at .*:\d+:\d+/); // no stack frames
  expect(e.issues.length, what).toBeGreaterThan(0);
  expect(e.issues.length, what).toBeLessThanOrEqual(21);
  for (const line of e.issues) {
    expect(line.length, `${what}: ${line.slice(0, 200)}`).toBeLessThanOrEqual(MAX_LINE);
    expect(line, what).not.toMatch(/[\r\n]/);
    expect(line, what).not.toMatch(/: Invalid input$|Invalid key in record|\[object Object\]|undefined$/);
    const namesFile = file !== undefined && line.includes(file);
    const namesKey = PATH_START.test(line) || /^unknown keys? "/.test(line) || /^and \d+ more problems?$/.test(line);
    expect(namesFile || namesKey, `${what}: ${line}`).toBe(true);
    if (namesKey && !namesFile && !line.startsWith('unknown key') && !line.startsWith('and ')) expect(line, what).toMatch(/^[^\n]*?: \S/);
  }
  if (file !== undefined) expect(e.message, what).toContain(file);
}

/** A configuration corrwatch can run: each basket seeds a store that accepts it and a detector that takes it. */
function expectUsable(config: Config, what: string): void {
  const baskets = seedBaskets(config, 0);
  for (const b of baskets) {
    toStored(storedBasketSchema, b, `basket ${b.name}`);
    const d = detectorConfigFor(b, config);
    policyConfigFor(b, config);
    expect(d.window, what).toBeGreaterThanOrEqual(20);
    expect(d.window, what).toBeLessThanOrEqual(MAX_BASKET_BARS);
    const own = config.baskets[b.name];
    if ((own.baseline ?? config.detector.baseline) !== 'auto') expect(d.baseline, what).toBeLessThanOrEqual(MAX_BASKET_BARS);
    expect(new Set(b.symbols.map((s) => s.toUpperCase())).size, what).toBe(b.symbols.length);
  }
  // Node's timers take at most 2^31 - 1 ms: a longer timeout fires at once.
  expect(parseDuration(config.market.timeout), what).toBeLessThan(2 ** 31);
  expect(config.dataDir, what).not.toContain('\u0000');
}

function outcome(fn: () => Config, what: string, file?: string): 'valid' | 'refused' {
  let config: Config;
  try {
    config = fn();
  } catch (e) {
    expectConfigError(e, what, file);
    return 'refused';
  }
  expectUsable(config, what);
  return 'valid';
}

/** fast-check's report, cut short: a counterexample may hold a 100 KB string. */
const params = (numRuns: number, seed: number): fc.Parameters<unknown> => ({
  numRuns,
  seed,
  reporter: (details) => {
    if (details.failed) throw new Error(fc.defaultReportMessage(details)?.replace(/(.)\1{200,}/g, (run, c: string) => `${c.repeat(20)}…(${run.length} × ${JSON.stringify(c)})`));
  },
});

const describeInput = (v: unknown) => {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 300);
  } catch {
    return String(v).slice(0, 300);
  }
};

describe('config fuzzing (parseConfig)', () => {
  it('every random or hostile override merged over the defaults is a usable config or a ConfigError naming key paths', () => {
    const seen = { valid: 0, refused: 0 };
    fc.assert(
      fc.property(override, (o) => {
        seen[outcome(() => parseConfig(mergeConfig(DEFAULTS, o), 'fuzz.yaml'), describeInput(o))]++;
      }),
      params(1500, 20261211),
    );
    // Both sides are reached: the check of usable configs is about something.
    expect(seen.valid).toBeGreaterThan(100);
    expect(seen.refused).toBeGreaterThan(500);
  });

  it('the same without the defaults beneath (parseConfig fills in what is missing)', () => {
    fc.assert(
      fc.property(override, (o) => {
        outcome(() => parseConfig(o), describeInput(o));
      }),
      params(500, 20261212),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// YAML files through loadConfig

const yamlToken = fc.constantFrom(
  'market:', 'baskets:', 'majors:', 'symbols:', 'window:', 'timeframe:', 'detector:', 'thresholds:', 'enterZ:', 'dataDir:', 'a:',
  ' ', '  ', '    ', '\n', '\n  ', '\n    ', '- ', '-', ':', ': ', '? ', ',', '[', ']', '{', '}', '"', "'", '#', '|', '>', '&a ', '*a', '&b ', '*b', '<<: ',
  '!!str ', '!!int ', '!!binary ', '!!map ', '!!seq ', '---\n', '...\n', '%YAML 1.1\n', '\t', '\\', '\u0000', '\ufeff', '\u200b', '<!channel>', '@everyone',
  'BTC', 'btc', 'ETH', '7d', '0', '-1', '1e12', '.nan', '.inf', '-.inf', '0x1F', '~', 'null', 'yes', 'true', '"\\u0000"', '__proto__:',
);
/** YAML text: random tokens, a generated document written out, or either cut short. */
const yamlText = fc.oneof(
  { weight: 3, arbitrary: fc.array(yamlToken, { maxLength: 30 }).map((ts) => ts.join('')) },
  { weight: 3, arbitrary: override.map((o) => (o === undefined ? '' : stringifyYaml(o))) },
  { weight: 1, arbitrary: fc.tuple(override, fc.nat()).map(([o, n]) => { const t = o === undefined ? '' : stringifyYaml(o); return t.slice(0, n % (t.length + 1)); }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

/** A billion laughs: 9 aliases of 9 aliases ... 9^9 values if expanded. */
const aliasBomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].map((k, i, ks) => `${k}: &${k} [${Array(9).fill(`*${i === 0 ? 'a' : ks[i - 1]}`).join(', ')}]`), ''].join('\n');
const adversarialFiles: Record<string, string> = {
  'empty file': '',
  'a list': '- market\n- baskets\n',
  'a scalar': 'hello\n',
  'a number': '42\n',
  'null document': '~\n',
  'two documents': 'dataDir: a\n---\ndataDir: b\n',
  'duplicate keys': 'dataDir: a\ndataDir: b\n',
  'alias bomb': aliasBomb,
  'alias bomb under a basket': `baskets:\n  majors:\n    symbols: &s [BTC, ETH]\n    window: &w [*s, *s, *s, *s, *s, *s, *s, *s]\n${aliasBomb.replace(/^/gm, '    ').replace(/^ {4}a:/, '    x:')}`,
  'an alias to itself': 'baskets:\n  majors:\n    symbols: [BTC, ETH]\n    window: &w [*w]\n',
  'a mapping that contains itself': 'market: &m\n  source: sim:1\n  self: *m\n',
  'merge keys': 'defaults: &d\n  window: 7d\nbaskets:\n  majors:\n    <<: *d\n    symbols: [BTC, ETH]\n',
  'deep nesting': `baskets: ${'['.repeat(5000)}${']'.repeat(5000)}\n`,
  'deep nesting, unclosed': `a: ${'{a: '.repeat(2000)}\n`,
  'a 100 KB implicit key (YAML allows 1024 characters)': `${'k'.repeat(100_000)}: 1\n`,
  'a 100 KB key': `? ${'k'.repeat(100_000)}\n: 1\n`,
  'a 100 KB basket name': `baskets:\n  ? "<!channel>${HUGE}"\n  : symbols: [BTC, ETH]\n`,
  'a 100 KB window': `baskets:\n  majors:\n    symbols: [BTC, ETH]\n    window: ${HUGE}\n`,
  'a 100 KB unclosed string': `dataDir: "${HUGE}`,
  '10,000 symbols': `baskets:\n  majors:\n    symbols: [${tenThousandSymbols.join(', ')}]\n`,
  // (The yaml library checks keys for uniqueness in quadratic time: 10,000 keys take seconds to parse.)
  '2,000 bad basket names': `baskets:\n${Array.from({ length: 2000 }, (_, i) => `  "Bad ${i}":\n    symbols: [BTC, ETH]`).join('\n')}\n`,
  '2,000 unknown keys': `${Array.from({ length: 2000 }, (_, i) => `unknown${i}: 1`).join('\n')}\n`,
  'a symbol twice in different case': 'baskets:\n  majors:\n    symbols: [BTC, btc, ETH]\n',
  'windows of 0, -1 and 1e12': 'baskets:\n  a:\n    symbols: [BTC, ETH]\n    window: 0\n  b:\n    symbols: [BTC, ETH]\n    window: -1\n  c:\n    symbols: [BTC, ETH]\n    window: 1e12\n',
  'non-finite numbers': 'detector:\n  falseAlarmYears: .nan\n  thresholds:\n    exitZ: -.inf\n    enterZ: .inf\n',
  'binary and unknown tags': 'dataDir: !!binary aGVsbG8=\nmarket:\n  maxBars: !!str 5000\n',
  '__proto__ keys': '__proto__:\n  dataDir: /tmp/elsewhere\nmarket:\n  __proto__: { source: "sim:1" }\n',
  'mentions and zero-width marks': 'baskets:\n  "<!channel>":\n    symbols: ["@everyone", "BTC\u200b"]\n  "maj\u200bors":\n    symbols: [BTC, ETH]\n',
  'a byte-order mark and CRLF': '\ufeffdataDir: ./x\r\nlog:\r\n  level: debug\r\n',
  'tabs as indentation': 'market:\n\tsource: sim:1\n',
  'NUL in a value': 'dataDir: "a\\0b"\n',
};

describe('config fuzzing (YAML files through loadConfig)', () => {
  let n = 0;
  const load = (text: string) => {
    const file = join(tmp, `fuzz-${n++}.yaml`);
    writeFileSync(file, text);
    return { file, run: () => loadConfig({ CORRWATCH_CONFIG: file }) };
  };

  it('random YAML text is a usable config or a ConfigError naming the file or key paths', () => {
    const seen = { valid: 0, refused: 0 };
    fc.assert(
      fc.property(yamlText, (text) => {
        const { file, run } = load(text);
        seen[outcome(run, JSON.stringify(text.slice(0, 300)), file)]++;
      }),
      params(300, 20261213),
    );
    expect(seen.valid).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(100);
  });

  it.each(Object.entries(adversarialFiles))('%s', (what, text) => {
    const { file, run } = load(text);
    outcome(run, what, file);
  });

  it('an alias bomb is refused as YAML, naming the file, before it is expanded', () => {
    const { file, run } = load(aliasBomb);
    expect(run).toThrow(ConfigError);
    expect(() => run()).toThrow(`${file} is not valid YAML: Excessive alias count`);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Bugs the fuzzing found (kept as examples)

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}
const basket = (extra: Record<string, unknown>) => ({ baskets: { majors: { symbols: ['BTC', 'ETH'], ...extra } } });

describe('what the config fuzzing found', () => {
  it('a window of 1e21 (a whole number, but "1e+21" as text) is refused, not accepted for a basket no detector takes', () => {
    expect(issuesOf(() => parseConfig(basket({ window: 1e21 })))).toEqual(['baskets.majors.window: expected a duration like 7d or a bar count, got 1e+21']);
    expect(issuesOf(() => parseConfig({ defaults: { window: 1e21 } }))).toEqual(['defaults.window: expected a duration like 7d or a bar count, got 1e+21']);
  });

  it('a window shorter than one bar is refused (it was skipped as "reported elsewhere", and the basket failed every tick)', () => {
    expect(issuesOf(() => parseConfig(basket({ window: '0.0001s' })))).toEqual(['baskets.majors.window: 0.0001s is shorter than one 1h bar']);
  });

  it('a timeframe too long to calibrate the alert level on is a ConfigError, not a RangeError from the calibration', () => {
    expect(issuesOf(() => parseConfig(basket({ timeframe: '99999w' })))).toEqual([
      'baskets.majors.timeframe: "99999w" bars are longer than detector.falseAlarmYears (10 years): the alert level cannot be calibrated; use a shorter timeframe or set thresholds.enterZ',
    ]);
    expect(issuesOf(() => parseConfig({ ...basket({ timeframe: '60d' }), detector: { falseAlarmYears: 0.1 } }))[0]).toMatch(/^baskets\.majors\.timeframe: "60d" bars are longer/);
    expect(parseConfig({ ...basket({ timeframe: '99999w', thresholds: { enterZ: 4 } }) }).baskets.majors.timeframe).toBe('99999w');
  });

  it('thresholds the store refuses are refused by the config, with the key path (they failed every command as "cannot store seed[0]")', () => {
    expect(issuesOf(() => parseConfig({ detector: { thresholds: { decoupleZ: -0.1 } } }))).toEqual(['detector.thresholds.decoupleZ: expected a number ≤ -0.5, got -0.1']);
    expect(issuesOf(() => parseConfig(basket({ thresholds: { enterZ: 20 } })))).toEqual(['baskets.majors.thresholds.enterZ: expected a number ≤ 10, got 20']);
    // exitZ against the level calibrated for the basket's timeframe (enterZ auto): 4.76 for 1h bars
    expect(issuesOf(() => parseConfig({ ...basket({}), detector: { thresholds: { exitZ: 5 } } }))).toEqual([
      'detector.thresholds.exitZ: must be below enterZ (4.76, calibrated for the 1h bars of basket majors) for hysteresis, got 5',
    ]);
    expect(issuesOf(() => parseConfig(basket({ thresholds: { exitZ: 5 } })))).toEqual([
      'baskets.majors.thresholds.exitZ: must be below enterZ (4.76, calibrated for the 1h bars of basket majors) for hysteresis, got 5',
    ]);
  });

  it('detector.baseline is bounded for the baskets that take it, like a basket\'s own baseline', () => {
    expect(issuesOf(() => parseConfig({ ...basket({}), detector: { baseline: 99_999_999 } }))).toEqual([
      'detector.baseline: for basket majors: 99999999 of 1h bars is 99999999 bars; a basket\'s baseline spans at most 50000',
    ]);
  });

  it('a market timeout Node cannot wait (30d overflows its timers, which then fire at once) is refused', () => {
    expect(issuesOf(() => parseConfig({ market: { timeout: '30d' } }))).toEqual(['market.timeout: expected a duration of at most 1h, got "30d"']);
  });

  it('no bare "Invalid input" from a union: what each alternative expects, and what was given', () => {
    expect(issuesOf(() => parseConfig({ detector: { states: 4 } }))).toEqual(['detector.states: expected 2 or 3, got 4']);
    expect(issuesOf(() => parseConfig(basket({ thresholds: { enterZ: 'high' } })))).toEqual(['baskets.majors.thresholds.enterZ: expected a number or "auto", got "high"']);
  });

  it('a 100 KB value or key is not echoed back whole; 10,000 problems are not all listed', () => {
    const issues = issuesOf(() => parseConfig({ baskets: { [`<!channel>${HUGE}`]: { symbols: ['BTC', 'ETH'], window: HUGE } }, [HUGE]: 1 }));
    expect(issues.join('\n').length).toBeLessThan(1000);
    expect(issues).toContain(`unknown key "${'x'.repeat(40)}… (100000 characters)"`);
    expect(issues).toContain(`baskets["<!channel>${'x'.repeat(30)}… (100010 characters)"].window: expected a duration like 7d or a bar count, got "${'x'.repeat(39)}… (100002 characters)`);
    const many = issuesOf(() => parseConfig({ baskets: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`Bad ${i}`, { symbols: ['BTC', 'ETH'] }])) }));
    expect(many).toHaveLength(21);
    expect(many[20]).toBe('and 9980 more problems');
  });

  it('a __proto__ key is an unknown key, not a prototype for the merged config', () => {
    const file = join(tmp, 'proto.yaml');
    writeFileSync(file, '__proto__:\n  dataDir: /tmp/elsewhere\n');
    expect(issuesOf(() => loadConfig({ CORRWATCH_CONFIG: file }))).toEqual(['unknown key "__proto__"']);
  });

  it('a NUL character in dataDir is refused (every command then failed opening the store)', () => {
    expect(issuesOf(() => parseConfig({ dataDir: 'a\u0000b' }))).toEqual(['dataDir: a path cannot hold a NUL character']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The CLI

function runCli(args: string[], config: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cli-run.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, CORRWATCH_CONFIG: config, CORRWATCH_DATA_DIR: join(tmp, 'cli-data'), PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('a broken config on the command line', () => {
  it('exits 2 with one line per problem under a line naming the file, no stack trace, nothing echoed whole', async () => {
    const broken = join(tmp, 'broken.yaml');
    writeFileSync(
      broken,
      [
        'market:',
        '  timout: 5s',
        'detector:',
        '  states: 4',
        'baskets:',
        `  ? "<!channel>${HUGE}"`,
        '  : symbols: [BTC, ETH]',
        '  majors:',
        '    symbols: [BTC, btc, ETH]',
        '    window: seven',
        '',
      ].join('\n'),
    );
    const notYaml = join(tmp, 'not-yaml.yaml');
    writeFileSync(notYaml, 'baskets:\n  majors: [BTC\n    window: 7d\n');
    // It failed with "corrwatch: arlBars must be > 1, got 0.0052" and exit 1.
    const slow = join(tmp, 'slow.yaml');
    writeFileSync(slow, 'baskets:\n  slow:\n    symbols: [BTC, ETH]\n    timeframe: 99999w\n');
    const aList = join(tmp, 'a-list.yaml');
    writeFileSync(aList, '- BTC\n- ETH\n');
    const [list, start, yaml, list2] = await Promise.all([
      runCli(['basket', 'list'], broken),
      runCli(['start', '--no-console'], slow),
      runCli(['corr', 'BTC', 'ETH', '--source', 'sim:1'], notYaml),
      runCli(['regime', 'majors'], aList),
    ]);
    for (const r of [list, start, yaml, list2]) {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(/^\s+at .*:\d+:\d+\)?$/m);
      expect(r.stderr).not.toMatch(/TypeError|RangeError|ReferenceError/);
      expect(r.stderr.length).toBeLessThan(2000);
    }
    const lines = list.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`corrwatch: invalid configuration in ${broken}:`);
    expect(lines.slice(1)).toEqual([
      '  market: unknown key "timout"',
      '  detector.states: expected 2 or 3, got 4',
      '  baskets.majors.window: expected a duration like 7d or a bar count, got "seven"',
      '  baskets.majors.symbols[1]: BTC is listed twice (as BTC already)',
      `  baskets["<!channel>${'x'.repeat(30)}… (100010 characters)"]: basket names are 1-32 lowercase letters, digits or -, got "<!channel>${'x'.repeat(29)}… (100012 characters)`,
    ]);
    expect(start.stderr.trimEnd().split('\n')).toEqual([
      `corrwatch: invalid configuration in ${slow}:`,
      '  baskets.slow.timeframe: "99999w" bars are longer than detector.falseAlarmYears (10 years): the alert level cannot be calibrated; use a shorter timeframe or set thresholds.enterZ',
    ]);
    expect(yaml.stderr.trimEnd().split('\n')).toHaveLength(2);
    expect(yaml.stderr).toContain(`${notYaml} is not valid YAML: `);
    expect(list2.stderr).toContain(`${aList} must be a mapping of keys (like the default config), not a list`);
  }, 30_000);
});
