import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { checkStore, repairFromBackup } from '../src/store/backups.js';
import { moveAside } from '../src/store/move-aside.js';
import { UserError } from '../src/domain/errors.js';
import { StoreError } from '../src/store/errors.js';
import { countsOf, describeCounts, formatExport, ImportRefused, parseExport, type StoreTransfer } from '../src/store/transfer.js';
import { jsonArg, sourceArg } from './common-args.js';
import type { CommandContext, CommandSpec } from './types.js';

/**
 * Commands that run the process itself (the CLI starts them; they are declared here so help and parsing come from
 * the same specs as every other command).
 */
export const startCommand: CommandSpec = {
  name: 'start',
  summary: 'run the watcher on its schedule, with Slack/Discord when their tokens are set, else the console',
  adminOnly: true,
  surfaces: ['cli'],
  args: [
    sourceArg,
    { name: 'schedule', type: 'text', description: 'cron expression for ticks (5 or 6 fields)', default: 'config schedule (auto: a minute after each bar closes)' },
    { name: 'speed', type: 'int', description: 'run the clock this many times faster (demos on sim sources)', default: '34560 for sim: with --schedule (two days of 1h bars every 5 s), else 1' },
    { name: 'no-console', type: 'word', flag: true, description: 'do not open the interactive console (print alerts only)' },
  ],
  examples: ['start', 'start --source sim:42 --schedule "*/5 * * * * *"'],
};

/** Write `file` whole or not at all (a temporary file beside it, renamed over it). */
async function writeFileAtomically(file: string, text: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, text, { mode });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw e;
  }
}

/** The store's export/import (set by the CLI for `store`); its failures as a user's (exit 2, one line). */
function transferOf(ctx: CommandContext): StoreTransfer {
  if (!ctx.services.transfer) throw new UserError('cli_only', 'store export and store import run on the command line only');
  return ctx.services.transfer;
}

async function asUserErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StoreError || e instanceof ImportRefused) throw new UserError(e instanceof ImportRefused ? 'not_empty' : `store_${e.code}`, e.message);
    throw e;
  }
}

/**
 * `store export FILE` / `store import FILE` (issue 13): everything a store holds (baskets, subscriptions, runtimes
 * with alert state and history, notifications with deliveries, audit) through a versioned JSON file, from whichever
 * store DATABASE_URL / store.url selects (else the lowdb files) into whichever the importing run selects.
 */
const storeExportCommand: CommandSpec = {
  name: 'export',
  summary: 'write everything the store holds (the data files, or PostgreSQL with DATABASE_URL) to a JSON file',
  adminOnly: true,
  surfaces: ['cli'],
  args: [{ name: 'file', type: 'file', positional: true, required: true, description: 'the JSON file to write (replaced if it exists)' }, jsonArg],
  examples: ['store export corrwatch-store.json', 'store export corrwatch-store.json --json'],
  async handler(ctx, args) {
    const transfer = transferOf(ctx);
    const file = args.file as string;
    const contents = await asUserErrors(() => transfer.exportContents());
    try {
      await writeFileAtomically(file, formatExport(contents, transfer.location), 0o600);
    } catch (e) {
      throw new UserError('bad_path', `cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const counts = countsOf(contents);
    return {
      title: 'Store exported',
      text: `Wrote ${file}: ${describeCounts(counts)}, from ${transfer.location}.`,
      data: { file, from: transfer.location, counts },
    };
  },
};

const storeImportCommand: CommandSpec = {
  name: 'import',
  summary: 'put the contents of a store export in this store (refused when it holds anything, unless --replace)',
  adminOnly: true,
  surfaces: ['cli'],
  args: [
    { name: 'file', type: 'file', positional: true, required: true, description: 'a file written by store export' },
    { name: 'replace', type: 'word', flag: true, description: 'drop everything the store holds first (stop corrwatch while it runs)' },
    jsonArg,
  ],
  examples: ['store import corrwatch-store.json', 'store import corrwatch-store.json --replace'],
  async handler(ctx, args) {
    const transfer = transferOf(ctx);
    const file = args.file as string;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UserError('bad_path', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const exported = await asUserErrors(async () => parseExport(text, file));
    const counts = await asUserErrors(() => transfer.importContents(exported.store, { replace: args.replace === true }));
    return {
      title: 'Store imported',
      text: `Imported ${describeCounts(counts)} into ${transfer.location}, from ${file} (exported from ${exported.from || 'an unnamed store'}${exported.exportedAt ? ` at ${exported.exportedAt}` : ''}).`,
      data: { file, into: transfer.location, from: exported.from, exportedAt: exported.exportedAt, counts },
    };
  },
};

export const storeCommand: CommandSpec = {
  name: 'store',
  summary: 'maintenance of the data file; export and import of a whole store (lowdb or PostgreSQL)',
  adminOnly: true,
  surfaces: ['cli'],
  args: [],
  examples: ['store check', 'store repair --from-backup', 'store move-aside', 'store export corrwatch-store.json', 'store import corrwatch-store.json'],
  subcommands: [
    {
      name: 'check',
      summary: 'say whether the data file and its backups can be read, and what is wrong when not',
      adminOnly: true,
      surfaces: ['cli'],
      args: [],
      examples: ['store check'],
      async handler(ctx) {
        const r = await checkStore(ctx.config.dataDir);
        const line = (c: typeof r.file) =>
          `${c.path}: ${c.status}${c.status === 'ok' ? ` (${c.baskets} baskets, ${c.notifications} notifications, written ${c.modifiedAt})` : c.problem ? ` — ${c.problem}` : ''}`;
        return {
          title: r.file.status === 'ok' ? 'The data file is readable' : r.file.status === 'missing' ? 'There is no data file yet' : 'The data file cannot be read',
          text: [
            line(r.file),
            ...r.backups.map(line),
            ...r.sideFiles.flatMap((f) => [
              `${f.path}: ${f.status}${f.status === 'ok' ? ` (${f.records} records${f.tornTail ? '; its last line was cut short and is ignored' : ''})` : f.problem ? ` — ${f.problem}` : ''}`,
              ...f.backups.filter((b) => b.status !== 'missing').map(line),
            ]),
          ].join('\n'),
          severity: r.file.status === 'refused' || r.sideFiles.some((f) => f.status === 'refused') ? 'warning' : 'info',
          data: r,
        };
      },
    },
    {
      name: 'repair',
      summary: 'put the newest readable backup in place of a data file that cannot be read (the bad one is moved aside)',
      adminOnly: true,
      surfaces: ['cli'],
      args: [{ name: 'from-backup', type: 'word', flag: true, description: 'restore from the newest readable backup (the only repair there is)' }],
      examples: ['store repair --from-backup'],
      async handler(ctx, args) {
        if (!args['from-backup']) throw new UserError('bad_usage', 'say how to repair: store repair --from-backup');
        const r = await repairFromBackup(ctx.config.dataDir);
        return {
          title: 'Data file restored from a backup',
          text: [
            ...(r.restoredFrom ? [`Restored ${r.restoredFrom}${r.movedAside ? `; the unreadable file is now ${r.movedAside}` : ''}.`] : []),
            ...r.sideFiles.map((f) => (f.restoredFrom ? `Restored ${f.restoredFrom}` : `No readable copy of ${f.path}: it starts empty`) + (f.movedAside ? `; the unreadable file is now ${f.movedAside}.` : '.')),
            'Start corrwatch again.',
          ].join('\n'),
          data: r,
        };
      },
    },
    {
      name: 'move-aside',
      summary: 'rename a corrupt or unreadable data file so corrwatch can start fresh (nothing is deleted)',
      adminOnly: true,
      surfaces: ['cli'],
      args: [],
      examples: ['store move-aside'],
      async handler(ctx) {
        const moved = await moveAside(ctx.config.dataDir);
        return moved
          ? { title: 'Data file moved aside', text: `The old file is now ${moved}. corrwatch will create a new one at the next start.`, data: { movedTo: moved } }
          : { title: 'Nothing to move', text: `There is no data file in ${ctx.config.dataDir}.`, data: { movedTo: null } };
      },
    },
    storeExportCommand,
    storeImportCommand,
  ],
};

export const slackManifestCommand: CommandSpec = {
  name: 'slack-manifest',
  summary: 'print a Slack app manifest (YAML) for /corr, generated from the command specs',
  adminOnly: true,
  surfaces: ['cli'],
  args: [
    { name: 'url', type: 'word', positional: true, required: true, description: 'public https base URL of this corrwatch (request URLs are <url>/slack/events)' },
    { name: 'socket-mode', type: 'word', flag: true, description: 'Socket Mode (no public URL; needs SLACK_APP_TOKEN at start)' },
  ],
  examples: ['slack-manifest https://corrwatch.example.com'],
};

export const discordRegisterCommand: CommandSpec = {
  name: 'discord-register',
  summary: 'register the slash commands with Discord (globally, or to DISCORD_GUILD_ID)',
  adminOnly: true,
  surfaces: ['cli'],
  args: [],
  examples: ['discord-register'],
};

export const consoleCommand: CommandSpec = {
  name: 'console',
  summary: 'an interactive console: type /corr BTC ETH or corr BTC ETH; charts are saved as PNG files',
  adminOnly: true,
  surfaces: ['cli'],
  args: [sourceArg],
  examples: ['console', 'console --source sim:42'],
};
