import { commands } from '../../../commands/index.js';
import { alertReply } from '../../../src/alerts/alert-reply.js';
import { createRuntime, type AppRuntime } from '../../../src/app/runtime.js';
import { chartRenderer } from '../../../src/chart/index.js';
import { parseConfig } from '../../../src/config/load.js';
import type { Clock, MarketSource } from '../../../src/domain/ports.js';
import { createLogger, type Logger } from '../../../src/log.js';
import { simRegimeSchedule } from '../../../src/market/sim-source.js';
import { createMarketSource } from '../../../src/market/source-factory.js';
import type { NotificationRecord, Store } from '../../../src/store/types.js';
import { MemoryStore } from '../../../src/store/memory-store.js';
import { seedBaskets } from '../../../src/config/baskets.js';
import { IDS, MANAGE_GUILD, waitFor, type FakeDiscord, type FakeUser, type RestCall } from '../../fakes/fake-discord.js';

export { commands };

/** Looks like a bot token; checked never to appear in any log line. */
export const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAwMg.GfAkEt.fake-token-for-tests-only-123456';

export const USERS = {
  /** A member without any role or permission. */
  alice: { id: '1200000000000000001', username: 'alice' },
  /** Holds the role named "Corr Admin", listed (by name, other case) in admins.discord.roles. */
  bob: { id: '1200000000000000002', username: 'bob', roles: [IDS.adminRole] },
  /** Has Manage Server. */
  carol: { id: '1200000000000000003', username: 'carol', permissions: MANAGE_GUILD },
  /** Holds a role that is not an admin role. */
  dave: { id: '1200000000000000004', username: 'dave', roles: [IDS.traderRole] },
} satisfies Record<string, FakeUser>;

export const SEED = 2;
/** More symbols than an autocomplete answer may hold. */
export const UNIVERSE = Array.from({ length: 60 }, (_, i) => (i < 10 ? ['BTC', 'ETH', 'SOL', 'BNB', 'XRP', 'ADA', 'DOGE', 'AVAX', 'DOT', 'LINK'][i] : `AAA${String.fromCharCode(65 + (i % 26))}${i}`));
/**
 * A simulator with regimes far apart (pairwise ρ 0.05 calm, 0.9 stressed) and long segments (500-700 bars, more
 * than the 14d baseline), so any sound detector is in an episode 48 bars into a stressed segment.
 */
export const SIM = { universe: UNIVERSE, calmRho: 0.05, stressedRho: 0.9, minSegmentBars: 500, maxSegmentBars: 700 };

/** The clock: 48 hourly bars into the first stressed segment that follows a calm one (a bar boundary). */
export const NOW = (() => {
  const segs = simRegimeSchedule(SEED, '1h', Date.UTC(2020, 0, 1), Date.UTC(2021, 0, 1), SIM);
  const i = segs.findIndex((s, k) => k > 0 && s.regime === 'stressed' && segs[k - 1].regime === 'calm');
  return segs[i].start + 48 * 3_600_000;
})();

export interface TestRuntime {
  runtime: AppRuntime;
  store: Store;
  market: MarketSource;
  clock: Clock;
  log: Logger;
  logLines: string[];
}

export async function makeRuntime(market?: MarketSource): Promise<TestRuntime> {
  const clock = { now: () => NOW };
  const config = parseConfig({
    baskets: { majors: { symbols: ['BTC', 'ETH', 'SOL'], timeframe: '1h', window: '48', baseline: '14d' } },
    admins: { discord: { roles: ['corr admin'], users: [] } },
  });
  const logLines: string[] = [];
  const log = createLogger('debug', (l) => logLines.push(l));
  const m = market ?? createMarketSource(`sim:${SEED}`, { clock, sim: SIM });
  const store = new MemoryStore();
  await store.open(seedBaskets(config, NOW));
  const runtime = createRuntime({ config, log, clock, store, market: m, charts: chartRenderer, version: 'test' });
  return { runtime, store, market: m, clock, log, logLines };
}

export function discordEnv(fake: FakeDiscord, extra: Record<string, string> = {}): Record<string, string> {
  return { DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: IDS.application, DISCORD_API_URL: fake.apiUrl, ...extra };
}

/** The alert message with its regime chart, as `corrwatch start` should render it. */
export async function renderAlertWithChart(store: Store, record: NotificationRecord) {
  const rt = await store.getRuntime(record.basket);
  const h = rt?.history.slice(-200) ?? [];
  const chart = h.length
    ? await chartRenderer.regime({ timestamps: h.map((p) => p.at), avgCorrelation: h.map((p) => p.avgCorrelation), regimes: h.map((p) => p.regime), basket: record.basket })
    : undefined;
  return alertReply(record, chart);
}

/** Every REST call made for one interaction token, in order. */
export function callsFor(fake: FakeDiscord, token: string): RestCall[] {
  return fake.calls.filter((c) => c.path.includes(`/${token}`));
}

/** Wait for an interaction to be answered: its callback and then an edit of @original or a follow-up. */
export async function answered(fake: FakeDiscord, token: string, timeoutMs = 15_000): Promise<RestCall[]> {
  return waitFor(
    () => {
      const calls = callsFor(fake, token);
      const done = calls.some((c) => c.method === 'PATCH' || (c.method === 'POST' && /^\/webhooks\//.test(c.path)));
      return done ? calls : undefined;
    },
    timeoutMs,
    `an answer to interaction ${token}`,
  );
}

/** The embed of a recorded message call. */
export function embedOf(call: RestCall): { title?: string; description?: string; fields?: { name: string; value: string }[]; image?: { url: string }; footer?: { text: string } } {
  const json = call.json as { embeds?: unknown[] };
  return (json.embeds?.[0] ?? {}) as ReturnType<typeof embedOf>;
}


export { plainPearson as pearson, PNG_SIGNATURE as PNG_MAGIC } from '../../helpers/reference-stats.js';
