import { basketFromConfig } from '../src/config/baskets.js';
import { BASKET_NAME_HINT, BASKET_NAME_PATTERN } from '../src/domain/patterns.js';
import { UserError } from '../src/domain/errors.js';
import { MAX_BASKET_BARS, MAX_SYMBOLS } from '../src/domain/limits.js';
import type { Reply } from '../src/domain/reply.js';
import { timeframeMs } from '../src/domain/timeframe.js';
import { canonicalTimeZone, TIME_ZONE_HINT } from '../src/domain/timezone.js';
import { barsOf } from '../src/config/basket-settings.js';
import { MIN_RETURNS } from '../src/stats/index.js';
import type { Basket } from '../src/store/types.js';
import { audit } from './audit.js';
import { listBaskets, requireBasket, requireStore } from './basket-lookup.js';
import { table } from './format.js';
import type { ArgSpec, CommandContext, CommandSpec } from './types.js';

const nameArg: ArgSpec = { name: 'name', type: 'basket', positional: true, required: true, description: 'basket name', autocomplete: 'basket' };
const symbolsArg: ArgSpec = { name: 'symbols', type: 'symbol', positional: true, required: true, variadic: true, description: 'symbols', autocomplete: 'symbol' };

/** Keys `basket set` can change, with how each value is checked. */
const SETTABLE: Record<string, { describe: string; apply: (b: Basket, v: string) => void }> = {
  timeframe: { describe: 'bar size (1m..1d)', apply: (b, v) => ((b.timeframe = v), timeframeMs(v)) },
  window: { describe: 'correlation window (7d or a bar count)', apply: (b, v) => ((b.window = v), void barsOf(v, b.timeframe, 'window')) },
  baseline: { describe: 'baseline length (90d or a bar count)', apply: (b, v) => ((b.baseline = v), checkBasketBars('baseline', v, b.timeframe)) },
  enterz: { describe: 'convergence evidence at which an alert opens (default calibrated for the timeframe)', apply: (b, v) => (b.thresholds.enterZ = num(v, 'enterZ', 0.5, 10)) },
  exitz: { describe: 'evidence below which an episode ends', apply: (b, v) => (b.thresholds.exitZ = num(v, 'exitZ', -5, 9)) },
  stressprobability: { describe: 'stress-state probability for stressed (0.5..1)', apply: (b, v) => (b.thresholds.stressProbability = num(v, 'stressProbability', 0.5, 1)) },
  decouplez: { describe: 'window z-score for decoupling (negative)', apply: (b, v) => (b.thresholds.decoupleZ = num(v, 'decoupleZ', -10, -0.5)) },
  timezone: { describe: 'display time zone of its alerts and replies (IANA, e.g. Asia/Singapore; default: display.timezone)', apply: setTimeZone },
};

/** `basket set NAME timezone Asia/Singapore`; `default` drops the basket's own zone. */
function setTimeZone(b: Basket, v: string): void {
  if (v.toLowerCase() === 'default') {
    delete b.timezone;
    return;
  }
  const zone = canonicalTimeZone(v);
  if (zone === undefined) throw new UserError('bad_value', `timezone: ${TIME_ZONE_HINT} (or default), got "${v.slice(0, 64)}"`);
  b.timezone = zone;
}

/** A window or baseline given by an admin spans at most MAX_BASKET_BARS bars (a basket would warm up forever). */
function checkBasketBars(key: 'window' | 'baseline', text: string, timeframe: string): void {
  const bars = barsOf(text, timeframe, key);
  if (bars > MAX_BASKET_BARS) {
    throw new UserError('bad_window', `${key}: ${text} of ${timeframe} bars is ${bars} bars; a basket's ${key} spans at most ${MAX_BASKET_BARS} bars: use a shorter ${key} or a larger timeframe`);
  }
}

/**
 * The window must hold enough returns for the detector to classify (it refuses fewer than MIN_RETURNS), and span at
 * most MAX_BASKET_BARS bars.
 */
function checkWindow(b: Basket): void {
  const w = barsOf(b.window, b.timeframe, 'window');
  if (w < MIN_RETURNS) {
    throw new UserError('bad_window', `window: ${b.window} of ${b.timeframe} bars is ${w} returns; the detector needs at least ${MIN_RETURNS} returns`);
  }
  checkBasketBars('window', b.window, b.timeframe);
}

function num(v: string, key: string, lo: number, hi: number): number {
  const x = Number(v);
  if (!Number.isFinite(x) || x < lo || x > hi) throw new UserError('bad_value', `${key}: expected a number from ${lo} to ${hi}, got "${v}"`);
  return x;
}

/** Check symbols against the market source (unknown ones get a "did you mean"), and duplicates. */
async function checkSymbols(ctx: CommandContext, symbols: string[]): Promise<void> {
  const dup = symbols.find((s, i) => symbols.indexOf(s) !== i);
  if (dup) throw new UserError('duplicate_symbol', `${dup} is listed twice`);
  for (const s of symbols) await ctx.market.resolveSymbol(s);
}

function describe(b: Basket): string {
  return `${b.symbols.join(' ')} · ${b.timeframe} bars · window ${b.window} · baseline ${b.baseline}${b.timezone ? ` · times in ${b.timezone}` : ''}`;
}

function done(title: string, b: Basket, extra?: string): Reply {
  return { title, text: `${describe(b)}${extra ? `\n${extra}` : ''}`, ephemeral: true, severity: 'success', data: b };
}

/**
 * Apply an admin's edit to the basket as stored at the moment of the write (Store.changeBasket), so two admins editing
 * one basket at once both keep their change. `edit` changes the copy it is given, or throws a UserError to refuse; a
 * handler runs it first on the basket it read, to refuse before asking the market anything.
 */
async function editBasket(ctx: CommandContext, name: string, edit: (b: Basket) => void): Promise<Basket> {
  return requireStore(ctx).changeBasket(name, (current) => {
    if (!current) throw new UserError('unknown_basket', `basket ${name} was deleted while this command ran`);
    edit(current);
    current.updatedAt = ctx.clock.now();
    return current;
  });
}

function exists(name: string): UserError {
  return new UserError('basket_exists', `basket ${name} already exists; use basket add ${name} SYM... to extend it`);
}

const list: CommandSpec = {
  name: 'list',
  summary: 'list the baskets',
  adminOnly: false,
  args: [],
  examples: ['basket list'],
  async handler(ctx) {
    const baskets = await listBaskets(ctx);
    if (!baskets.length) return { title: 'No baskets yet', text: 'An admin can create one: basket create NAME SYM SYM ...', data: [] };
    const rows = [['name', 'symbols', 'bars', 'window'], ...baskets.map((b) => [b.name, b.symbols.join(' '), b.timeframe, b.window])];
    return { title: `${baskets.length} basket${baskets.length > 1 ? 's' : ''}`, text: '```\n' + table(rows) + '\n```', data: baskets };
  },
};

const show: CommandSpec = {
  name: 'show',
  summary: 'show one basket with its thresholds and subscribed channels',
  adminOnly: false,
  args: [nameArg],
  examples: ['basket show majors'],
  async handler(ctx, args) {
    const b = await requireBasket(ctx, args.name as string);
    const subs = ctx.services.store ? await ctx.services.store.listSubscriptions(b.name) : [];
    const t = b.thresholds;
    return {
      title: `Basket ${b.name}`,
      text: describe(b),
      fields: [
        { name: 'thresholds', value: `alert at evidence ≥ ${t.enterZ}, ends < ${t.exitZ}, stress p ≥ ${t.stressProbability}, decoupling z ≤ ${t.decoupleZ}`, inline: false },
        { name: 'subscribed channels', value: subs.length ? subs.map((s) => `${s.platform}:${s.channelId}`).join(', ') : 'none', inline: false },
      ],
      data: { ...b, subscriptions: subs },
    };
  },
};

const create: CommandSpec = {
  name: 'create',
  summary: `create a basket of 2 to ${MAX_SYMBOLS} symbols`,
  adminOnly: true,
  args: [
    nameArg,
    symbolsArg,
    { name: 'timeframe', type: 'timeframe', description: 'bar size', default: '1h' },
    { name: 'window', type: 'window', description: 'correlation window', default: 'sized to the timeframe (7d of 1h)' },
  ],
  examples: ['basket create l1s SOL AVAX ADA DOT', 'basket create majors BTC ETH --timeframe 4h'],
  async handler(ctx, args) {
    const name = args.name as string;
    if (!BASKET_NAME_PATTERN.test(name)) throw new UserError('bad_name', `basket names are ${BASKET_NAME_HINT}, got "${name}"`);
    const store = requireStore(ctx);
    if (await store.getBasket(name)) throw exists(name);
    const symbols = args.symbols as string[];
    if (symbols.length < 2 || symbols.length > MAX_SYMBOLS) throw new UserError('bad_size', `a basket holds 2 to ${MAX_SYMBOLS} symbols, got ${symbols.length}`);
    await checkSymbols(ctx, symbols);
    const b = basketFromConfig(name, { symbols, timeframe: args.timeframe as string | undefined, window: args.window as string | undefined }, ctx.config, ctx.clock.now());
    if (b.window === 'all') throw new UserError('bad_window', 'a basket window must be a duration or a bar count, not "all"');
    checkWindow(b);
    b.createdBy = `${ctx.invocation.platform}:${ctx.invocation.userId}`;
    // Two admins creating one name at once: one basket, and the other is told it exists.
    await store.changeBasket(name, (current) => {
      if (current) throw exists(name);
      return b;
    });
    await audit(ctx, 'basket.create', name, { symbols, timeframe: b.timeframe, window: b.window });
    return done(`Created basket ${name}`, b, `Subscribe a channel to its alerts: alerts subscribe ${name}`);
  },
};

const add: CommandSpec = {
  name: 'add',
  summary: 'add symbols to a basket',
  adminOnly: true,
  args: [nameArg, symbolsArg],
  examples: ['basket add majors SOL'],
  async handler(ctx, args) {
    const symbols = args.symbols as string[];
    const addTo = (b: Basket) => {
      const already = symbols.filter((s) => b.symbols.includes(s));
      if (already.length) throw new UserError('already_in_basket', `${already.join(', ')} ${already.length > 1 ? 'are' : 'is'} already in ${b.name}`);
      if (b.symbols.length + symbols.length > MAX_SYMBOLS) throw new UserError('bad_size', `a basket holds at most ${MAX_SYMBOLS} symbols; ${b.name} has ${b.symbols.length}`);
      b.symbols = [...b.symbols, ...symbols];
    };
    addTo(await requireBasket(ctx, args.name as string));
    await checkSymbols(ctx, symbols);
    const b = await editBasket(ctx, args.name as string, addTo);
    await audit(ctx, 'basket.add', b.name, { symbols });
    return done(`Added ${symbols.join(', ')} to ${b.name}`, b);
  },
};

const remove: CommandSpec = {
  name: 'remove',
  summary: 'remove symbols from a basket',
  adminOnly: true,
  args: [nameArg, symbolsArg],
  examples: ['basket remove majors XRP'],
  async handler(ctx, args) {
    const symbols = args.symbols as string[];
    const removeFrom = (b: Basket) => {
      const missing = symbols.filter((s) => !b.symbols.includes(s));
      if (missing.length) throw new UserError('not_in_basket', `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in ${b.name} (${b.symbols.join(' ')})`);
      const left = b.symbols.filter((s) => !symbols.includes(s));
      if (left.length < 2) throw new UserError('bad_size', `a basket needs at least 2 symbols; delete it instead: basket delete ${b.name}`);
      b.symbols = left;
    };
    await requireBasket(ctx, args.name as string);
    const b = await editBasket(ctx, args.name as string, removeFrom);
    await audit(ctx, 'basket.remove', b.name, { symbols });
    return done(`Removed ${symbols.join(', ')} from ${b.name}`, b);
  },
};

const del: CommandSpec = {
  name: 'delete',
  summary: 'delete a basket and its subscriptions',
  adminOnly: true,
  args: [nameArg],
  examples: ['basket delete l1s'],
  async handler(ctx, args) {
    const b = await requireBasket(ctx, args.name as string);
    // Another admin may have deleted it since it was read: then this command deleted nothing, and says so.
    if (!(await requireStore(ctx).deleteBasket(b.name))) throw new UserError('unknown_basket', `basket ${b.name} was deleted while this command ran`);
    await audit(ctx, 'basket.delete', b.name, { symbols: b.symbols });
    return { title: `Deleted basket ${b.name}`, text: 'Its subscriptions are gone; its alert history and the audit log are kept.', ephemeral: true, severity: 'success', data: { deleted: b.name } };
  },
};

const set: CommandSpec = {
  name: 'set',
  summary: `change a setting: ${Object.keys(SETTABLE).join(', ')}`,
  adminOnly: true,
  args: [
    nameArg,
    { name: 'key', type: 'word', positional: true, required: true, description: 'setting', choices: Object.keys(SETTABLE) },
    { name: 'value', type: 'word', positional: true, required: true, description: 'new value' },
  ],
  examples: ['basket set majors window 14d', 'basket set majors enterZ 5.5', 'basket set majors timezone Asia/Singapore'],
  async handler(ctx, args) {
    const key = (args.key as string).toLowerCase();
    const value = args.value as string;
    const setOn = (next: Basket) => {
      try {
        SETTABLE[key].apply(next, value);
        checkWindow(next);
      } catch (e) {
        if (e instanceof UserError) throw e;
        throw new UserError('bad_value', `${key}: ${(e as Error).message}`);
      }
      if (next.thresholds.exitZ >= next.thresholds.enterZ) {
        throw new UserError('bad_value', `exitZ (${next.thresholds.exitZ}) must stay below enterZ (${next.thresholds.enterZ}) so episodes do not flap`);
      }
    };
    const b = await requireBasket(ctx, args.name as string);
    const next = await editBasket(ctx, b.name, setOn);
    await audit(ctx, 'basket.set', b.name, { key, value });
    return done(`${b.name}: ${key} set to ${value}`, next);
  },
};

export const basketCommand: CommandSpec = {
  name: 'basket',
  summary: 'list, show and edit baskets',
  adminOnly: false,
  args: [],
  examples: ['basket list', 'basket show majors', 'basket create l1s SOL AVAX ADA'],
  subcommands: [list, show, create, add, remove, del, set],
};
