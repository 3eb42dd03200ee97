import { seedBaskets } from '../src/config/baskets.js';
import { UserError } from '../src/domain/errors.js';
import { didYouMean } from '../src/domain/suggest.js';
import type { Basket, Store } from '../src/store/types.js';
import type { CommandContext } from './types.js';

/** Every basket the caller can name: from the store once it exists, else from the config. */
export async function listBaskets(ctx: CommandContext): Promise<Basket[]> {
  if (ctx.services.store) return ctx.services.store.listBaskets();
  return seedBaskets(ctx.config, 0);
}

export async function findBasket(ctx: CommandContext, name: string): Promise<Basket | undefined> {
  return (await listBaskets(ctx)).find((b) => b.name === name);
}

export async function requireBasket(ctx: CommandContext, name: string): Promise<Basket> {
  const b = await findBasket(ctx, name);
  if (!b) {
    const names = (await listBaskets(ctx)).map((x) => x.name);
    throw new UserError('unknown_basket', `there is no basket "${name}"${didYouMean(name, names)}${names.length ? '' : ' (none are defined yet)'}`);
  }
  return b;
}

/** The store, or a user error saying the command needs one. */
export function requireStore(ctx: CommandContext): Store {
  if (!ctx.services.store) throw new UserError('no_store', 'this command needs the data store, which is not open here');
  return ctx.services.store;
}

