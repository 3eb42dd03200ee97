import type { CommandContext } from './types.js';
import { requireStore } from './basket-lookup.js';

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
