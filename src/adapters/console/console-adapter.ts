import { mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { commands, dispatch } from '../../../commands/index.js';
import type { CommandContext } from '../../../commands/types.js';
import type { Reply } from '../../domain/reply.js';
import { renderReplyText } from '../../render/text.js';

export interface ConsoleOptions {
  input: Readable;
  output: Writable;
  /** A fresh context per line (the console user is always an admin). */
  context: () => CommandContext;
  /** Charts are saved here as PNG files; history is kept in `<dataDir>/console_history`. */
  dataDir: string;
  prompt?: string;
}

export interface ConsoleSession {
  /** Print text above the prompt (alerts from the watcher), then redraw the prompt. */
  print(text: string): void;
  /** Resolves when the user quits (exit, quit, Ctrl-D). */
  closed: Promise<void>;
  close(): void;
}

const HISTORY_MAX = 500;

/** Save a reply's chart under `<dataDir>/charts/` and return the path. */
export function saveChart(dataDir: string, reply: Reply, now: number): string | undefined {
  if (!reply.chart) return undefined;
  const dir = join(dataDir, 'charts');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${stamp}-${reply.chart.filename}`);
  writeFileSync(path, reply.chart.png);
  return path;
}

/** Save a reply's file (a CSV export) under `<dataDir>/exports/` and return the path. */
export function saveAttachment(dataDir: string, reply: Reply, now: number): string | undefined {
  if (!reply.attachment) return undefined;
  const dir = join(dataDir, 'exports');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date(now).toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${stamp}-${reply.attachment.filename}`);
  writeFileSync(path, reply.attachment.content);
  return path;
}

function loadHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_MAX);
  } catch {
    return [];
  }
}

/**
 * `corrwatch console`: a REPL where `/corr BTC ETH` or `corr BTC ETH` prints the reply as text, each chart is
 * saved as a PNG under the data directory and each export (`export matrix majors`) as a CSV under it (paths printed), and watcher alerts appear in the same terminal.
 */
export function startConsole(opts: ConsoleOptions): ConsoleSession {
  const historyFile = join(opts.dataDir, 'console_history');
  mkdirSync(opts.dataDir, { recursive: true });
  const terminal = Boolean((opts.output as { isTTY?: boolean }).isTTY);
  const rl: Interface = createInterface({ input: opts.input, output: opts.output, terminal, history: loadHistory(historyFile), historySize: HISTORY_MAX, prompt: opts.prompt ?? 'corrwatch> ' });
  const write = (s: string) => opts.output.write(s);
  let busy = Promise.resolve();
  let closed = false;
  const closedP = new Promise<void>((resolve) => rl.on('close', () => {
    closed = true;
    resolve();
  }));
  write('corrwatch console. Type help for the commands, exit to quit.\n');
  rl.prompt();
  rl.on('line', (line) => {
    const text = line.trim();
    // Lines are answered in order, even when a query takes a while.
    busy = busy.then(async () => {
      if (!text) return;
      if (text === 'exit' || text === 'quit') {
        rl.close();
        return;
      }
      try {
        appendFileSync(historyFile, text + '\n');
      } catch {
        // history is a convenience; a read-only data dir must not break the console
      }
      const ctx = opts.context();
      const { reply } = await dispatch(commands, text, ctx);
      let out = renderReplyText(reply);
      try {
        const path = saveChart(opts.dataDir, reply, ctx.clock.now());
        if (path) out += `\n  chart: ${path}`;
      } catch (e) {
        out += `\n  chart not saved: ${(e as Error).message}`;
      }
      try {
        const path = saveAttachment(opts.dataDir, reply, ctx.clock.now());
        if (path) out += `\n  file: ${path}`;
      } catch (e) {
        out += `\n  file not saved: ${(e as Error).message}`;
      }
      write(out + '\n');
    })
      // One failing line must not stop the ones after it.
      .catch((e: unknown) => {
        write(`corrwatch: ${e instanceof Error ? e.message : String(e)}\n`);
      })
      .finally(() => {
      if (!closed) rl.prompt();
    });
  });
  return {
    print(text: string) {
      if (closed) {
        write(text.endsWith('\n') ? text : text + '\n');
        return;
      }
      write((terminal ? '\r\x1b[K' : '') + (text.endsWith('\n') ? text : text + '\n'));
      rl.prompt(true);
    },
    closed: closedP.then(() => busy),
    close: () => rl.close(),
  };
}
