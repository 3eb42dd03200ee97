/** Starting the adapter and registering commands, against the fake Discord. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discordCommandJson, registerDiscordCommands, startDiscordAdapter } from '../../../src/adapters/discord/index.js';
import type { MarketSource } from '../../../src/domain/ports.js';
import { FakeDiscord, IDS, waitFor } from '../../fakes/fake-discord.js';
import { answered, callsFor, commands, discordEnv, makeRuntime, TOKEN, USERS } from './helpers.js';

let fake: FakeDiscord;

beforeAll(async () => {
  fake = await new FakeDiscord({ token: TOKEN }).start();
});

afterAll(async () => {
  await fake?.close();
});

describe('startDiscordAdapter', () => {
  it('names a missing env variable', async () => {
    const { runtime } = await makeRuntime();
    await expect(startDiscordAdapter(runtime, {})).rejects.toThrow(/^DISCORD_TOKEN is not set/);
    await expect(startDiscordAdapter(runtime, { DISCORD_TOKEN: TOKEN })).rejects.toThrow(/^DISCORD_APPLICATION_ID is not set/);
  });

  it('says the token was rejected, without showing it', async () => {
    const { runtime, logLines } = await makeRuntime();
    const wrong = 'MTEwMDAwMDAwMDAwMDAwMDAwMg.wrong.not-the-right-token-000000';
    const err = await startDiscordAdapter(runtime, discordEnv(fake, { DISCORD_TOKEN: wrong }), { restRetries: 0, restTimeoutMs: 3_000 }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/Discord rejected DISCORD_TOKEN \(401/);
    expect((err as Error).message).not.toContain(wrong);
    expect(logLines.join('\n')).not.toContain(wrong);
  });

  it('Discord unreachable at start: start returns, alerts stay pending, and the bot connects when Discord is back', async () => {
    const { runtime, logLines } = await makeRuntime();
    const record = { id: 'x:1:firing', basket: 'x', episode: 1, kind: 'firing' as const, at: 0, createdAt: 0, payload: {}, deliveries: {} };
    const reply = { title: 'test alert' };
    fake.restDown = true;
    let adapter: Awaited<ReturnType<typeof startDiscordAdapter>> | undefined;
    try {
      adapter = await startDiscordAdapter(runtime, discordEnv(fake), { restRetries: 0, restTimeoutMs: 1_000, reconnectMs: 100, warmupMs: 100 });
      expect(await adapter.notifier.send(IDS.alerts, { record, reply })).toMatchObject({ ok: false, retryable: true });
      expect(logLines.some((l) => l.includes('discord unreachable at start'))).toBe(true);
      fake.restDown = false;
      await waitFor(() => logLines.some((l) => l.includes('discord connected')), 10_000, 'the background connection');
      expect(await adapter.notifier.send(IDS.alerts, { record, reply })).toMatchObject({ ok: true });
      const st = fake.command('help', [], USERS.alice);
      await answered(fake, st.token);
    } finally {
      fake.restDown = false;
      await adapter?.stop();
    }
  });

  it('autocomplete never waits on the exchange: answered at once while the symbol list is still loading', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const base = (await makeRuntime()).market;
    let listed = false;
    const slow: MarketSource = {
      id: base.id,
      venue: base.venue,
      fetchCandles: base.fetchCandles.bind(base),
      resolveSymbol: base.resolveSymbol.bind(base),
      listSymbols: () =>
        gate
          .then(() => base.listSymbols())
          .then((s) => {
            listed = true;
            return s;
          }),
    };
    const { runtime } = await makeRuntime(slow);
    const adapter = await startDiscordAdapter(runtime, discordEnv(fake), { restRetries: 0, restTimeoutMs: 3_000, warmupMs: 100 });
    try {
      const ask = async () => {
        const st = fake.autocomplete('corr', [{ name: 'a', type: 3, value: 'B', focused: true }], USERS.alice);
        const cb = await waitFor(() => callsFor(fake, st.token).find((c) => /\/callback$/.test(c.path)), 3_000, 'the autocomplete answer');
        expect(cb.at - st.dispatchedAt).toBeLessThan(3_000);
        return (cb.json as { data: { choices: { value: string }[] } }).data.choices.map((c) => c.value);
      };
      expect(await ask()).toEqual([]);
      release();
      // The refresh in flight completes; from then on the cache answers.
      await waitFor(() => listed, 3_000, 'the symbol list');
      expect(await ask()).toEqual(['BNB', 'BTC']);
    } finally {
      release();
      await adapter.stop();
    }
  });
});

describe('registerDiscordCommands', () => {
  const puts = (path: string) => fake.callsTo(new RegExp(`^PUT ${path.replace(/\//g, '\\/')}$`));

  it('sends the command JSON generated from the specs to the guild when DISCORD_GUILD_ID is set', async () => {
    const r = await registerDiscordCommands(discordEnv(fake, { DISCORD_GUILD_ID: IDS.guild }), commands);
    const [put] = puts(`/applications/${IDS.application}/guilds/${IDS.guild}/commands`);
    expect(put.authed).toBe(true);
    expect(put.json).toEqual(JSON.parse(JSON.stringify(discordCommandJson(commands))));
    expect(r).toEqual({ scope: 'guild', count: (put.json as unknown[]).length });
    await expect(JSON.stringify(put.json, null, 2) + '\n').toMatchFileSnapshot('./__snapshots__/discord-commands.json');
  });

  it('registers globally without DISCORD_GUILD_ID', async () => {
    const r = await registerDiscordCommands(discordEnv(fake), commands);
    expect(r).toEqual({ scope: 'global', count: 10 });
    expect(fake.registered.get('global')!.map((c) => c.name)).toEqual(['corr', 'matrix', 'regime', 'forecast', 'compare', 'basket', 'alerts', 'export', 'audit', 'help']);
  });

  it('explains a rejected token or a wrong application id', async () => {
    await expect(registerDiscordCommands(discordEnv(fake, { DISCORD_TOKEN: 'not.the.token' }), commands)).rejects.toThrow(/DISCORD_TOKEN \(401\)/);
    await expect(registerDiscordCommands(discordEnv(fake, { DISCORD_APPLICATION_ID: '999999999999999999' }), commands)).rejects.toThrow(/DISCORD_APPLICATION_ID=999999999999999999/);
    await expect(registerDiscordCommands({}, commands)).rejects.toThrow(/^DISCORD_TOKEN is not set/);
  });
});
