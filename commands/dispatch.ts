import { randomBytes } from 'node:crypto';
import { SourceError, UserError } from '../src/domain/errors.js';
import { SYMBOL_PATTERN } from '../src/domain/patterns.js';
import type { CommandOutcome, DispatchResult } from '../src/domain/chat-runtime.js';
import type { Reply } from '../src/domain/reply.js';
import { nearest } from '../src/domain/suggest.js';
import { clampText } from '../src/render/clamp.js';
import { csvAttachment } from './csv-export.js';
import { parseArgs, tokenize } from './parse.js';
import { commandHelpReply } from './help-text.js';
import type { CommandContext, CommandSpec, Surface } from './types.js';
import { offeredOn, usageLine } from './usage.js';

/** Defined with the ChatRuntime port (src/domain/chat-runtime.ts), which returns them to the adapters. */
export type { CommandOutcome as Outcome, DispatchResult };

/** A command resolved from tokens: the spec (a leaf), its full name and the remaining tokens. */
export interface Resolved {
  spec: CommandSpec;
  fullName: string;
  rest: string[];
}

/**
 * Find the command a line names. `/corr BTC ETH` and `corr BTC ETH` are the pair query; `/corr matrix majors`
 * and `matrix majors` are the matrix command (the bot's own `/corr` prefix is dropped before a command name).
 * A first word that is not a command but is close to one is an unknown command with a suggestion; any other
 * symbol-like first word starts a pair query (on the command line only one written in capitals).
 */
export function resolveCommand(commands: CommandSpec[], tokens: string[], surface: Surface): Resolved {
  const offered = commands.filter((c) => offeredOn(c, surface));
  const names = offered.map((c) => c.name);
  const toks = [...tokens];
  if (toks.length > 0) toks[0] = toks[0].replace(/^\//, '');
  const lower = (s: string | undefined) => s?.toLowerCase();
  if (lower(toks[0]) === 'corr' && toks.length > 1 && names.includes(lower(toks[1])!) && lower(toks[1]) !== 'corr') toks.shift();
  const first = lower(toks[0]);
  if (first === undefined) return { spec: offered.find((c) => c.name === 'help')!, fullName: 'help', rest: [] };
  const elsewhere = commands.find((c) => c.name === first && !offeredOn(c, surface));
  if (elsewhere) throw new UserError('cli_only', `${elsewhere.name} is only available on the command line: corrwatch ${elsewhere.name}`);
  let spec = offered.find((c) => c.name === first);
  let rest = toks.slice(1);
  if (!spec) {
    const guess = nearest(first, names);
    const corr = offered.find((c) => c.name === 'corr');
    const tryHelp = surface === 'cli' ? 'Try: corrwatch help' : 'Try: help';
    if (guess || !corr || !SYMBOL_PATTERN.test(toks[0])) {
      throw new UserError('unknown_command', `unknown command "${toks[0]}"${guess ? `; did you mean ${guess}?` : ''} ${tryHelp}`);
    }
    // One word that is no command cannot be a pair query either (it needs two symbols): say so rather than
    // "missing b" (`/corr xyzzy`).
    if (toks.length === 1) {
      throw new UserError('unknown_command', `"${toks[0]}" is not a command, and a correlation needs two symbols (${surface === 'cli' ? 'corrwatch corr BTC ETH' : 'corr BTC ETH'}). ${tryHelp}`);
    }
    // On the command line a lower-case word is taken for a command (`corrwatch db migrate` is not a query of DB
    // against MIGRATE on the exchange, issue 11); symbols there are written in capitals, or after `corr`.
    if (surface === 'cli' && toks[0] !== toks[0].toUpperCase()) {
      throw new UserError('unknown_command', `unknown command "${toks[0]}". Try: corrwatch help. For a pair of symbols write them in capitals (corrwatch ${toks.slice(0, 2).join(' ').toUpperCase()}) or after corr (corrwatch corr ${toks.slice(0, 2).join(' ')})`);
    }
    spec = corr;
    rest = toks;
  }
  let fullName = spec.name;
  if (spec.subcommands) {
    const subs = spec.subcommands.filter((s) => offeredOn(s, surface));
    const subName = lower(rest[0]);
    const list = subs.map((s) => s.name).join(' | ');
    if (!subName || subName === '--help' || subName === 'help') {
      return { spec, fullName, rest: [] };
    }
    const sub = subs.find((s) => s.name === subName);
    if (!sub) {
      const guess = nearest(subName, subs.map((s) => s.name));
      throw new UserError('unknown_subcommand', `unknown ${spec.name} subcommand "${rest[0]}"${guess ? `; did you mean ${guess}?` : ''}\nusage: ${spec.name} ${list}`);
    }
    spec = sub;
    fullName = `${fullName} ${sub.name}`;
    rest = rest.slice(1);
  }
  return { spec, fullName, rest };
}

/**
 * `/corr matirx majors`: after `corr` a word that is no command is the first symbol of a pair query, so a mistyped
 * command name comes back as an unknown symbol. When that word, typed in lower case, is the symbol the source does
 * not know and is close to a command's name, the message offers the command as well.
 */
function commandTypoHint(commands: CommandSpec[], resolved: Resolved | undefined, e: UserError, surface: Surface): string | undefined {
  const word = resolved?.rest[0];
  if (e.code !== 'unknown_symbol' || resolved?.spec.name !== 'corr' || !word || word !== word.toLowerCase()) return undefined;
  if (!e.message.toUpperCase().includes(word.toUpperCase())) return undefined;
  const guess = nearest(word, commands.filter((c) => offeredOn(c, surface) && c.name !== 'corr').map((c) => c.name));
  return guess ? `unknown command "${word}"; did you mean ${[guess, ...resolved.rest.slice(1)].join(' ')}? (As a pair of symbols: ${e.message})` : undefined;
}

function newErrorId(): string {
  return randomBytes(4).toString('hex');
}

function errorReply(title: string, text: string): Reply {
  return { title, text, ephemeral: true, severity: 'error' };
}

/**
 * Run one command line for one caller and always return a Reply (never throws): user errors become a private
 * reply saying what to fix, admin-only commands from non-admins a private refusal (logged), failures of the
 * market source their clear message, and anything else a short message with an error id (full error logged).
 */
/** Longest command line taken (Slack's slash command text is at most 4,000 characters too). */
export const MAX_COMMAND_CHARS = 4000;
/** Longest user-error message shown: a message that quotes what was typed stays readable (issue 11 §8). */
const MAX_ERROR_CHARS = 1500;

export async function dispatch(commands: CommandSpec[], line: string | string[], ctx: CommandContext): Promise<DispatchResult> {
  const surface = ctx.surface;
  let resolved: Resolved | undefined;
  const text = typeof line === 'string' ? line : line.join(' ');
  try {
    if (text.length > MAX_COMMAND_CHARS) {
      throw new UserError('too_long', `a command is at most ${MAX_COMMAND_CHARS} characters; this one has ${text.length}`);
    }
    const tokens = typeof line === 'string' ? tokenize(line) : line;
    resolved = resolveCommand(commands, tokens, surface);
    const { spec, fullName, rest } = resolved;
    if (spec.subcommands || rest.some((t) => t === '--help')) {
      return { reply: commandHelpReply(spec, fullName, ctx.invocation.isAdmin, surface), outcome: 'ok', command: fullName };
    }
    if (spec.adminOnly && !ctx.invocation.isAdmin) {
      ctx.log.warn('refused admin-only command', {
        command: fullName,
        platform: ctx.invocation.platform,
        user: ctx.invocation.userId,
        channel: ctx.invocation.channelId,
      });
      return {
        reply: errorReply('Not allowed', `\`${fullName}\` is for corrwatch admins only. Ask an admin to run it, or to add you to the admins in the config.`),
        outcome: 'refused',
        command: fullName,
      };
    }
    const args = parseArgs({ ...spec, name: fullName }, rest, surface);
    if (!spec.handler) throw new Error(`command ${fullName} has no handler`);
    const reply = await spec.handler(ctx, args);
    // `--csv FILE` (CLI): the CSV of what the JSON holds, handed over as an attachment the CLI writes to FILE.
    if (spec.csv && typeof args.csv === 'string' && reply.data !== undefined) reply.attachment = csvAttachment(spec.csv, reply.data).attachment;
    return { reply, outcome: 'ok', command: fullName };
  } catch (e) {
    const command = resolved?.fullName;
    if (e instanceof UserError) {
      return { reply: errorReply('Cannot do that', clampText(commandTypoHint(commands, resolved, e, surface) ?? e.message, MAX_ERROR_CHARS)), outcome: 'user_error', command };
    }
    const errorId = newErrorId();
    if (e instanceof SourceError) {
      ctx.log.warn('market source failed', { errorId, command, code: e.code, error: e.message });
      return { reply: errorReply('Market data unavailable', `${e.message} (error id ${errorId})`), outcome: 'source_error', command, errorId };
    }
    ctx.log.error('command failed', { errorId, command, line: clampText(text, MAX_ERROR_CHARS), error: e });
    return {
      reply: errorReply('Something went wrong', `corrwatch could not answer this (error id ${errorId}). The details are in the log.`),
      outcome: 'internal_error',
      command,
      errorId,
    };
  }
}

export { offeredOn, usageLine };
