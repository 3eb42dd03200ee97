import type { CommandContext, CommandSpec } from './types.js';
import { UserError } from '../src/domain/errors.js';
import { listBaskets, requireStore } from './basket-lookup.js';
import { auditCsv, auditRow, csvArg, type AuditRow } from './csv-export.js';
import { jsonArg } from './common-args.js';
import { table } from './format.js';
import { didYouMean } from '../src/domain/suggest.js';
import { clampText } from '../src/render/clamp.js';

/** Write an admin change to the audit log: who, what, when. */
export async function audit(ctx: CommandContext, action: string, basket: string | undefined, details: Record<string, unknown>): Promise<void> {
  await requireStore(ctx).appendAudit({
    at: ctx.clock.now(),
    platform: ctx.invocation.platform,
    userId: ctx.invocation.userId,
    action,
    basket,
    details,
  });
  ctx.log.info('admin change', { action, basket, user: `${ctx.invocation.platform}:${ctx.invocation.userId}`, ...details });
}

/** Rows of the table in a chat message (the JSON and the CSV have every entry asked for). */
const MAX_TABLE_ROWS = 50;

/** `details` in one short cell: `key=value` pairs. */
function detailsText(d: Record<string, unknown>): string {
  const text = Object.entries(d)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  return clampText(text || '-', 60);
}

/** `audit [--limit N] [--basket NAME]`: the audit log, newest first (admins only). */
export const auditCommand: CommandSpec = {
  name: 'audit',
  summary: 'who changed what, when, from which platform (the audit log, newest first)',
  adminOnly: true,
  args: [
    { name: 'limit', type: 'int', description: 'how many entries, newest first (the log keeps the newest store.maxAudit, 10,000 by default)', default: '20' },
    { name: 'basket', type: 'basket', description: 'only the changes to this basket', autocomplete: 'basket' },
    jsonArg,
    csvArg,
  ],
  csv: auditCsv,
  examples: ['audit', 'audit --limit 50 --basket majors'],
  async handler(ctx, args) {
    const max = ctx.config.store.maxAudit;
    const limit = (args.limit as number | undefined) ?? 20;
    if (limit < 1 || limit > max) throw new UserError('bad_argument', `limit: expected 1 to ${max} (the log keeps the newest ${max} entries: store.maxAudit in the config), got ${limit}`);
    const basket = args.basket as string | undefined;
    // The CLI opens the store only when there is one: no store yet is an empty log, not an error.
    const entries = ctx.services.store ? await ctx.services.store.listAudit({ basket, limit }) : [];
    const data: AuditRow[] = entries.map(auditRow);
    const scope = basket ? ` of ${basket}` : '';
    const footer = `newest first · the log keeps the newest ${max} entries (store.maxAudit)`;
    if (!data.length) {
      let hint = '';
      if (basket) {
        const names = (await listBaskets(ctx)).map((b) => b.name);
        hint = names.includes(basket) ? '' : ` (there is no basket "${basket}" now${didYouMean(basket, names)})`;
      }
      return { title: `No audit entries${scope}`, text: `Nobody has changed anything${scope} yet${hint}.`, ephemeral: true, severity: 'info', footer, data };
    }
    const shown = data.slice(0, MAX_TABLE_ROWS);
    const rows = [['when', 'platform', 'user', 'action', 'basket', 'details'], ...shown.map((e) => [e.at, e.platform, e.userId, e.action, e.basket ?? '-', detailsText(e.details)])];
    const more = data.length > shown.length ? `\nThe newest ${shown.length} of ${data.length} shown; \`export audit --limit ${data.length}\` (or the CLI's --csv FILE) has them all.` : '';
    return {
      title: `Audit log${scope}: ${data.length} entr${data.length === 1 ? 'y' : 'ies'}`,
      text: '```\n' + table(rows) + '\n```' + more,
      ephemeral: true,
      severity: 'info',
      footer,
      data,
    };
  },
};
