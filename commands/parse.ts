import { UserError } from '../src/domain/errors.js';
import { BASKET_NAME_HINT, BASKET_NAME_PATTERN, SOURCE_HINT, SOURCE_PATTERN, SYMBOL_HINT, SYMBOL_PATTERN } from '../src/domain/patterns.js';
import { durationMs, parseTimestamp, timeframeMs } from '../src/domain/timeframe.js';
import type { ArgSpec, ArgType, ArgValue, CommandSpec, ParsedArgs, Surface } from './types.js';
import { usageLine } from './usage.js';

/** Split a command line into tokens; double or single quotes group words. Unbalanced quotes are a user error. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let has = false;
  for (const ch of text.trim()) {
    if (quote) {
      if (ch === quote) quote = undefined;
      else cur += ch;
    } else if (ch === '"' || ch === "'" || ch === '“' || ch === '”') {
      quote = ch === '“' ? '”' : ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (quote) throw new UserError('bad_quotes', `unbalanced quote in: ${text}`);
  if (has || cur) out.push(cur);
  return out;
}

/** What each type expects, in words (used in errors and help). */
export const TYPE_HINT: Record<ArgType, string> = {
  symbol: SYMBOL_HINT,
  basket: `a basket name (${BASKET_NAME_HINT})`,
  window: 'a bar count like 168, a duration like 7d, or "all"',
  method: 'pearson or spearman',
  timeframe: 'a timeframe like 15m, 1h, 4h or 1d',
  time: 'an ISO-8601 time like 2024-03-01T00:00:00Z or epoch milliseconds',
  duration: 'a duration like 30m, 4h or 2d',
  source: SOURCE_HINT,
  file: 'a file path',
  int: 'a whole number',
  word: 'a word',
  text: 'text',
};

/** Validate and normalise one token for a type; undefined when it does not fit. */
export function coerce(type: ArgType, raw: string, choices?: readonly string[]): ArgValue | undefined {
  if (choices && !choices.includes(raw.toLowerCase())) return undefined;
  switch (type) {
    case 'symbol':
      return SYMBOL_PATTERN.test(raw) ? raw.toUpperCase() : undefined;
    case 'basket':
      return BASKET_NAME_PATTERN.test(raw.toLowerCase()) ? raw.toLowerCase() : undefined;
    case 'window': {
      const s = raw.toLowerCase();
      return s === 'all' || (/^\d+$/.test(s) && Number(s) >= 2) || durationMs(s) !== undefined ? s : undefined;
    }
    case 'method':
      return ['pearson', 'spearman'].includes(raw.toLowerCase()) ? raw.toLowerCase() : undefined;
    case 'timeframe':
      try {
        timeframeMs(raw);
        return raw;
      } catch {
        return undefined;
      }
    case 'time':
      try {
        return parseTimestamp(raw);
      } catch {
        return undefined;
      }
    case 'duration':
      return durationMs(raw.toLowerCase());
    case 'source':
      return SOURCE_PATTERN.test(raw) ? raw : undefined;
    case 'int':
      return /^-?\d+$/.test(raw) ? Number(raw) : undefined;
    case 'file':
    case 'word':
    case 'text':
      return raw.length > 0 ? (choices ? raw.toLowerCase() : raw) : undefined;
  }
}

function badValue(spec: CommandSpec, arg: ArgSpec, raw: string, surface: Surface): UserError {
  const hint = arg.choices ? arg.choices.join(' | ') : TYPE_HINT[arg.type];
  return new UserError('bad_argument', `${arg.name}: expected ${hint}, got "${raw}"\nusage: ${usageLine(spec, surface)}`);
}

function usageError(spec: CommandSpec, message: string, surface: Surface): UserError {
  return new UserError('bad_usage', `${message}\nusage: ${usageLine(spec, surface)}`);
}

/** Split `--name value`, `--name=value`, `name:value`, `name=value` from positional tokens. */
function splitNamed(spec: CommandSpec, tokens: string[], surface: Surface, options: ArgSpec[]) {
  const named = new Map<string, string | true>();
  const positional: string[] = [];
  const byName = new Map(options.map((o) => [o.name.toLowerCase(), o]));
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    let m = /^--([a-zA-Z][\w-]*)(?:=(.*))?$/.exec(tok);
    if (!m && !tok.includes('/')) m = /^([a-zA-Z][\w-]*)[:=](.+)$/.exec(tok);
    if (!m) {
      positional.push(tok);
      continue;
    }
    const name = m[1].toLowerCase();
    const opt = byName.get(name);
    if (!opt) {
      const known = options.map((o) => `--${o.name}`).join(', ');
      throw usageError(spec, `unknown option "${tok.startsWith('--') ? '--' + name : name}"${known ? ` (options: ${known})` : ''}`, surface);
    }
    if (named.has(opt.name)) throw usageError(spec, `option --${opt.name} given twice`, surface);
    if (opt.flag) {
      if (m[2] !== undefined) throw usageError(spec, `--${opt.name} takes no value`, surface);
      named.set(opt.name, true);
      continue;
    }
    let value = m[2];
    if (value === undefined) {
      if (!tok.startsWith('--') || i + 1 >= tokens.length) throw usageError(spec, `--${opt.name} needs a value: ${TYPE_HINT[opt.type]}`, surface);
      value = tokens[++i];
    }
    named.set(opt.name, value);
  }
  return { named, positional };
}

/**
 * Parse the tokens after the command name against its spec. Required positionals are taken in order; optional
 * positionals are matched by type (so `corr BTC ETH spearman` and `corr BTC ETH 30d` both work); named options
 * may come anywhere. Every problem is a UserError that says what to fix and shows the usage line.
 */
export function parseArgs(spec: CommandSpec, tokens: string[], surface: Surface): ParsedArgs {
  const visible = spec.args.filter((a) => surface === 'cli' || !a.cliOnly);
  const positionals = visible.filter((a) => a.positional);
  // Positional args can also be given by name (Discord options, `--a BTC`).
  const { named, positional } = splitNamed(spec, tokens, surface, visible);
  const out: ParsedArgs = {};

  for (const [name, raw] of named) {
    const arg = visible.find((a) => a.name === name)!;
    if (raw === true) {
      out[name] = true;
      continue;
    }
    if (arg.variadic) {
      const parts = raw.split(/[\s,]+/).filter(Boolean);
      const vals = parts.map((p) => coerce(arg.type, p, arg.choices));
      const bad = parts.findIndex((_, k) => vals[k] === undefined);
      if (bad >= 0) throw badValue(spec, arg, parts[bad], surface);
      out[name] = vals as string[];
      continue;
    }
    const v = coerce(arg.type, raw, arg.choices);
    if (v === undefined) throw badValue(spec, arg, raw, surface);
    out[name] = v;
  }

  let k = 0;
  const pending = positionals.filter((a) => out[a.name] === undefined);
  for (let p = 0; p < pending.length && k < positional.length; p++) {
    const arg = pending[p];
    if (arg.variadic) {
      const rest = positional.slice(k);
      const vals = rest.map((t) => coerce(arg.type, t, arg.choices));
      const bad = vals.findIndex((v) => v === undefined);
      if (bad >= 0) throw badValue(spec, arg, rest[bad], surface);
      out[arg.name] = vals as string[];
      k = positional.length;
      break;
    }
    if (arg.type === 'text') {
      out[arg.name] = positional.slice(k).join(' ');
      k = positional.length;
      break;
    }
    const v = coerce(arg.type, positional[k], arg.choices);
    if (v === undefined) {
      // An optional positional that does not fit may belong to a later optional one (matched by type).
      if (!arg.required && pending.slice(p + 1).some((a) => !a.required && coerce(a.type, positional[k], a.choices) !== undefined)) continue;
      // A word that fits nothing, where a later optional positional takes words from a list, may have been meant for
      // either: `corr BTC ETH kendall` is a method corrwatch does not have, not only a bad window. Say both.
      const listed = arg.required || arg.choices ? undefined : pending.slice(p + 1).find((a) => !a.required && a.choices);
      if (listed && /^[a-z]+$/i.test(positional[k])) {
        throw new UserError(
          'bad_argument',
          `${arg.name} or ${listed.name}: "${positional[k]}" is neither a ${arg.name} (${TYPE_HINT[arg.type]}) nor a ${listed.name} (${listed.choices!.join(' | ')})\nusage: ${usageLine(spec, surface)}`,
        );
      }
      throw badValue(spec, arg, positional[k], surface);
    }
    out[arg.name] = v;
    k++;
  }
  if (k < positional.length) {
    throw usageError(spec, `unexpected "${positional.slice(k).join(' ')}"`, surface);
  }

  for (const arg of visible) {
    if (out[arg.name] !== undefined) continue;
    if (arg.required) throw usageError(spec, `missing ${arg.name}: ${TYPE_HINT[arg.type]}`, surface);
    if (arg.flag) out[arg.name] = false;
    else if (arg.default !== undefined) {
      // A default that is a value (pearson, 10) is applied; one that describes a rule ("sized to the timeframe")
      // is left to the handler.
      const v = coerce(arg.type, arg.default, arg.choices);
      if (v !== undefined && arg.type !== 'text' && arg.type !== 'word' && arg.type !== 'file') out[arg.name] = v;
      else if (v !== undefined && arg.choices) out[arg.name] = v;
    }
  }
  return out;
}
