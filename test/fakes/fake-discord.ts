/**
 * A fake Discord (REST API v10 + gateway WebSocket) on 127.0.0.1 (port 0), for end-to-end tests of the real
 * discord.js. It speaks what discord.js 14 needs and records every call:
 *
 * REST (base `${restUrl}/api`): GET /gateway/bot; POST /interactions/{id}/{token}/callback (types 4-9); PATCH,
 * DELETE /webhooks/{app}/{token}/messages/{@original|id} and POST /webhooks/{app}/{token} (follow-ups);
 * GET /channels/{id}; POST, PATCH /channels/{id}/messages[/{id}] (with Discord's `enforce_nonce` dedup, and
 * `attachment://` references turned into attachment URLs as Discord does); PUT/GET application commands (global
 * and guild). Multipart bodies are parsed into `payload_json` + files. Requests that need the bot token are
 * refused with 401 without it.
 *
 * Gateway (`gatewayUrl`): HELLO, heartbeat ACKs, IDENTIFY -> READY + GUILD_CREATE, RESUME -> replay of missed
 * dispatches + RESUMED (or INVALID_SESSION for an unknown session). Dispatches made while no session is
 * connected are kept and replayed on RESUME, as Discord does.
 *
 * Behaviours: `failNext(pattern, n, kind)` answers the next n matching requests with a 429 (Retry-After), a 5xx,
 * drops the connection (`drop`), or does the work and then drops the connection before answering (`lose-answer`);
 * `restDown = true` drops every request (Discord unreachable); `dropGateway()` cuts the WebSocket; `gatewayDown = true`
 * refuses new gateway connections (HTTP 503 to the upgrade) until set back to false.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

const DISCORD_EPOCH = 1420070400000n;
let counter = 0n;

/** A Discord snowflake for a time (default now). */
export function snowflake(at: number = Date.now()): string {
  counter = (counter + 1n) % 4096n;
  return String(((BigInt(at) - DISCORD_EPOCH) << 22n) | counter);
}

export const IDS = {
  application: '1100000000000000001',
  bot: '1100000000000000002',
  guild: '1100000000000000003',
  general: '1100000000000000010',
  alerts: '1100000000000000011',
  alerts2: '1100000000000000012',
  adminRole: '1100000000000000020',
  traderRole: '1100000000000000021',
} as const;

export const MANAGE_GUILD = 1n << 5n;

export interface FakeUser {
  id: string;
  username: string;
  roles?: string[];
  /** Permission bits of the member in the channel (default 0: none). */
  permissions?: bigint;
}

export interface UploadedFile {
  field: string;
  filename: string;
  contentType: string;
  data: Buffer;
}

export interface RestCall {
  method: string;
  /** Path after /api/v10, URL-decoded (`/webhooks/1/tok/messages/@original`). */
  path: string;
  query: URLSearchParams;
  /** Whether it carried `Authorization: Bot <the token>`. */
  authed: boolean;
  json?: Record<string, unknown> | unknown[];
  files: UploadedFile[];
  at: number;
  status?: number;
}

export interface GatewayFrame {
  dir: 'in' | 'out';
  op: number;
  t?: string | null;
  s?: number | null;
  d?: unknown;
  at: number;
  conn: number;
}

type Json = Record<string, unknown>;

export interface FakeMessage extends Json {
  id: string;
  channel_id: string;
  content: string;
  embeds: Json[];
  components: Json[];
  attachments: Json[];
  flags: number;
  nonce?: string | number;
  message_reference?: Json;
  deleted?: boolean;
}

interface InteractionState {
  id: string;
  token: string;
  kind: 'command' | 'autocomplete' | 'component';
  channelId: string;
  dispatchedAt: number;
  callbacks: { type: number; data?: Json; at: number }[];
  /** The message @original refers to: the deferred/initial response, or the component's message after type 6/7. */
  original?: FakeMessage;
  componentMessage?: FakeMessage;
  followUps: FakeMessage[];
}

type FailKind = { status: 429; retryAfterSec: number; global?: boolean } | { status: 500 | 502 | 503 } | 'drop' | 'lose-answer';

interface FailRule {
  pattern: RegExp;
  remaining: number;
  kind: FailKind;
}

export interface FakeDiscordOptions {
  token: string;
  applicationId?: string;
  heartbeatIntervalMs?: number;
}

/** Wait until `probe` returns something truthy, polling; reject with `what` after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | null | false, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export class FakeDiscord {
  readonly calls: RestCall[] = [];
  readonly frames: GatewayFrame[] = [];
  readonly channelMessages = new Map<string, FakeMessage[]>();
  readonly interactions = new Map<string, InteractionState>();
  /** Bulk-overwritten commands per scope (`global` or the guild id). */
  readonly registered = new Map<string, Json[]>();
  restDown = false;
  /** Refuse gateway connections (the upgrade is answered 503) while true. */
  gatewayDown = false;
  /** Gateway connections refused so far (gatewayDown). */
  gatewayRefused = 0;

  private server!: Server;
  private wss!: WebSocketServer;
  private port = 0;
  private readonly rules: FailRule[] = [];
  private readonly nonces = new Map<string, FakeMessage>();
  private readonly appId: string;
  private readonly token: string;
  private readonly heartbeatMs: number;
  // Gateway session.
  private sessionId: string | undefined;
  private seq = 0;
  private events: { s: number; t: string; d: unknown }[] = [];
  private live: WebSocket | undefined;
  private connCount = 0;
  private readonly sockets = new Set<WebSocket>();

  constructor(opts: FakeDiscordOptions) {
    this.token = opts.token;
    this.appId = opts.applicationId ?? IDS.application;
    this.heartbeatMs = opts.heartbeatIntervalMs ?? 2_000;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What DISCORD_API_URL should be. */
  get apiUrl(): string {
    return `${this.restUrl}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.onRequest(req, res));
    this.wss = new WebSocketServer({
      server: this.server,
      path: '/gateway',
      // gatewayDown: the upgrade is refused, as when Discord's gateway cannot be reached.
      verifyClient: (_info, done) => {
        if (this.gatewayDown) this.gatewayRefused++;
        done(!this.gatewayDown, 503, 'Service Unavailable');
      },
    });
    this.wss.on('connection', (ws) => this.onConnection(ws));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  failNext(pattern: RegExp, times: number, kind: FailKind): void {
    this.rules.push({ pattern, remaining: times, kind });
  }

  /** Calls whose `METHOD /path` matches. */
  callsTo(pattern: RegExp): RestCall[] {
    return this.calls.filter((c) => pattern.test(`${c.method} ${c.path}`));
  }

  messagesIn(channelId: string): FakeMessage[] {
    return (this.channelMessages.get(channelId) ?? []).filter((m) => !m.deleted);
  }

  // ---------------------------------------------------------------- gateway

  private send(ws: WebSocket, payload: { op: number; t?: string | null; s?: number | null; d?: unknown }, conn: number): void {
    this.frames.push({ dir: 'out', ...payload, at: Date.now(), conn });
    ws.send(JSON.stringify({ t: null, s: null, ...payload }));
  }

  private onConnection(ws: WebSocket): void {
    const conn = ++this.connCount;
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      if (this.live === ws) this.live = undefined;
    });
    ws.on('message', (raw) => {
      let msg: { op: number; d?: Json };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.close(4002, 'decode error');
        return;
      }
      this.frames.push({ dir: 'in', op: msg.op, d: msg.d, at: Date.now(), conn });
      if (msg.op === 1) this.send(ws, { op: 11 }, conn);
      else if (msg.op === 2) this.onIdentify(ws, msg.d ?? {}, conn);
      else if (msg.op === 6) this.onResume(ws, msg.d ?? {}, conn);
    });
    this.send(ws, { op: 10, d: { heartbeat_interval: this.heartbeatMs } }, conn);
  }

  private onIdentify(ws: WebSocket, d: Json, conn: number): void {
    if (d.token !== this.token) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    this.sessionId = randomBytes(8).toString('hex');
    this.seq = 0;
    this.events = [];
    this.live = ws;
    this.dispatch('READY', {
      v: 10,
      user: { id: IDS.bot, username: 'corrwatch', discriminator: '0', global_name: null, avatar: null, bot: true, flags: 0 },
      application: { id: this.appId, flags: 0 },
      guilds: [{ id: IDS.guild, unavailable: true }],
      session_id: this.sessionId,
      resume_gateway_url: this.gatewayUrl,
      session_type: 'normal',
      private_channels: [],
      relationships: [],
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
    });
    this.dispatch('GUILD_CREATE', this.guild());
    void conn;
  }

  private onResume(ws: WebSocket, d: Json, conn: number): void {
    if (d.token !== this.token || d.session_id !== this.sessionId) {
      this.send(ws, { op: 9, d: false }, conn);
      return;
    }
    this.live = ws;
    const after = Number(d.seq ?? 0);
    for (const e of this.events.filter((x) => x.s > after)) this.send(ws, { op: 0, t: e.t, s: e.s, d: e.d }, conn);
    this.dispatch('RESUMED', {});
  }

  /** Send a dispatch event (kept for replay when no session is connected). Returns its sequence number. */
  dispatch(t: string, d: unknown): number {
    const s = ++this.seq;
    this.events.push({ s, t, d });
    if (this.live && this.live.readyState === 1) this.send(this.live, { op: 0, t, s, d }, this.connCount);
    return s;
  }

  /** Gateway WebSocket connections open now (one per bot process connected: issue 13's one gateway per bot). */
  get openGateways(): number {
    return this.sockets.size;
  }

  /** Sessions identified so far (IDENTIFY frames: a new gateway session each, a RESUME is not one). */
  get identifies(): number {
    return this.frames.filter((f) => f.dir === 'in' && f.op === 2).length;
  }

  /** Cut the gateway connection: a close code (4000: unknown error, resumable), or a dead TCP connection. */
  dropGateway(code?: number): void {
    const ws = this.live;
    this.live = undefined;
    if (!ws) return;
    if (code) ws.close(code, 'test');
    else ws.terminate();
  }

  private guild(): Json {
    const channel = (id: string, name: string, position: number) => ({
      id,
      type: 0,
      guild_id: IDS.guild,
      name,
      position,
      permission_overwrites: [],
      nsfw: false,
      parent_id: null,
      topic: null,
      last_message_id: null,
      rate_limit_per_user: 0,
      flags: 0,
    });
    const role = (id: string, name: string, position: number, permissions: string) => ({
      id,
      name,
      color: 0,
      hoist: false,
      icon: null,
      unicode_emoji: null,
      position,
      permissions,
      managed: false,
      mentionable: false,
      flags: 0,
    });
    return {
      id: IDS.guild,
      name: 'corrwatch test server',
      icon: null,
      owner_id: '1100000000000000099',
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      features: [],
      mfa_level: 0,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      joined_at: new Date().toISOString(),
      large: false,
      unavailable: false,
      member_count: 3,
      roles: [role(IDS.guild, '@everyone', 0, '0'), role(IDS.adminRole, 'Corr Admin', 1, '0'), role(IDS.traderRole, 'trader', 2, '0')],
      channels: [channel(IDS.general, 'general', 0), channel(IDS.alerts, 'alerts', 1), channel(IDS.alerts2, 'alerts-2', 2)],
      members: [],
      emojis: [],
      stickers: [],
      threads: [],
      presences: [],
      voice_states: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  // ---------------------------------------------------------------- interactions

  private member(u: FakeUser): Json {
    return {
      user: { id: u.id, username: u.username, discriminator: '0', global_name: null, avatar: null },
      roles: u.roles ?? [],
      permissions: String(u.permissions ?? 0n),
      joined_at: '2024-01-01T00:00:00.000Z',
      deaf: false,
      mute: false,
      flags: 0,
      nick: null,
      avatar: null,
      premium_since: null,
      pending: false,
    };
  }

  private newInteraction(kind: InteractionState['kind'], type: number, data: Json, u: FakeUser, channelId: string, extra: Json = {}): InteractionState {
    const id = snowflake();
    const token = `itok-${randomBytes(12).toString('hex')}`;
    const state: InteractionState = { id, token, kind, channelId, dispatchedAt: Date.now(), callbacks: [], followUps: [] };
    this.interactions.set(token, state);
    this.dispatch('INTERACTION_CREATE', {
      id,
      application_id: this.appId,
      type,
      data,
      guild_id: IDS.guild,
      channel_id: channelId,
      channel: { id: channelId, type: 0, guild_id: IDS.guild, name: 'channel', permissions: '0', flags: 0 },
      member: this.member(u),
      token,
      version: 1,
      app_permissions: '2248473465835073',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': IDS.guild },
      context: 0,
      attachment_size_limit: 10485760,
      ...extra,
    });
    return state;
  }

  /** A slash command (`options` as Discord sends them, subcommands included). */
  command(name: string, options: Json[], u: FakeUser, channelId: string = IDS.general): InteractionState {
    return this.newInteraction('command', 2, { id: snowflake(), name, type: 1, options, guild_id: IDS.guild }, u, channelId);
  }

  /** An autocomplete request; mark the focused option with `focused: true`. */
  autocomplete(name: string, options: Json[], u: FakeUser, channelId: string = IDS.general): InteractionState {
    return this.newInteraction('autocomplete', 4, { id: snowflake(), name, type: 1, options, guild_id: IDS.guild }, u, channelId);
  }

  /** A button click on a message this fake holds. */
  click(message: FakeMessage, customId: string, u: FakeUser): InteractionState {
    const state = this.newInteraction('component', 3, { custom_id: customId, component_type: 2 }, u, message.channel_id, { message: { ...message } });
    state.componentMessage = message;
    return state;
  }

  // ---------------------------------------------------------------- REST

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', this.restUrl);
    const m = /^\/api\/v\d+(\/.*)$/.exec(url.pathname);
    const path = decodeURIComponent(m ? m[1] : url.pathname);
    const call: RestCall = { method: req.method ?? 'GET', path, query: url.searchParams, authed: req.headers.authorization === `Bot ${this.token}`, files: [], at: Date.now() };
    try {
      await this.parseBody(req, body, call);
    } catch {
      // recorded without a body
    }
    this.calls.push(call);
    if (this.restDown) {
      req.socket.destroy();
      return;
    }
    const rule = this.rules.find((r) => r.remaining > 0 && r.pattern.test(`${call.method} ${path}`));
    if (rule) {
      rule.remaining--;
      if (rule.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (rule.kind !== 'lose-answer') {
        if (rule.kind.status === 429) {
          const k = rule.kind;
          const headers: Record<string, string> = { 'retry-after': String(k.retryAfterSec), 'x-ratelimit-scope': k.global ? 'global' : 'user' };
          if (k.global) headers['x-ratelimit-global'] = 'true';
          return this.reply(res, call, 429, { message: 'You are being rate limited.', retry_after: k.retryAfterSec, global: Boolean(k.global) }, headers);
        }
        return this.reply(res, call, rule.kind.status, { message: 'Service Unavailable', code: 0 });
      }
    }
    const [status, payload] = this.route(call);
    if (rule?.kind === 'lose-answer') {
      call.status = status;
      req.socket.destroy();
      return;
    }
    this.reply(res, call, status, payload);
  }

  private async parseBody(req: IncomingMessage, body: Buffer, call: RestCall): Promise<void> {
    if (body.length === 0) return;
    const ct = req.headers['content-type'] ?? '';
    if (ct.startsWith('application/json')) {
      call.json = JSON.parse(body.toString('utf8'));
    } else if (ct.startsWith('multipart/form-data')) {
      const form = await new Response(body, { headers: { 'content-type': ct } }).formData();
      for (const [field, value] of form.entries()) {
        if (typeof value === 'string') {
          if (field === 'payload_json') call.json = JSON.parse(value);
        } else {
          call.files.push({ field, filename: value.name, contentType: value.type, data: Buffer.from(await value.arrayBuffer()) });
        }
      }
    }
  }

  private reply(res: ServerResponse, call: RestCall, status: number, payload: unknown, headers: Record<string, string> = {}): void {
    call.status = status;
    if (status === 204) {
      res.writeHead(204, headers).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(payload));
  }

  private needsAuth(call: RestCall): [number, unknown] | undefined {
    return call.authed ? undefined : [401, { message: '401: Unauthorized', code: 0 }];
  }

  private route(call: RestCall): [number, unknown] {
    const { method, path } = call;
    const body = (call.json ?? {}) as Json;
    let m: RegExpExecArray | null;
    if (method === 'GET' && (path === '/gateway/bot' || path === '/gateway')) {
      return this.needsAuth(call) ?? [200, { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } }];
    }
    if ((m = /^\/interactions\/(\d+)\/([^/]+)\/callback$/.exec(path)) && method === 'POST') return this.onCallback(m[1], m[2], body, call);
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/.exec(path))) {
      const st = this.interactions.get(m[2]);
      if (!st || m[1] !== this.appId) return [404, { message: 'Unknown Webhook', code: 10015 }];
      const target = m[3] === '@original' ? st.original : st.followUps.find((f) => f.id === m![3]);
      if (!target) return [404, { message: 'Unknown Message', code: 10008 }];
      if (method === 'PATCH') return [200, this.edit(target, body, call)];
      if (method === 'DELETE') {
        target.deleted = true;
        return [204, undefined];
      }
      if (method === 'GET') return [200, target];
    }
    if ((m = /^\/webhooks\/(\d+)\/([^/]+)$/.exec(path)) && method === 'POST') {
      const st = this.interactions.get(m[2]);
      if (!st || st.callbacks.length === 0) return [404, { message: 'Unknown Webhook', code: 10015 }];
      const msg = this.newMessage(st.channelId, body, call);
      st.followUps.push(msg);
      return [200, msg];
    }
    if ((m = /^\/channels\/(\d+)$/.exec(path)) && method === 'GET') {
      const ch = (this.guild().channels as Json[]).find((c) => c.id === m![1]);
      return this.needsAuth(call) ?? (ch ? [200, ch] : [404, { message: 'Unknown Channel', code: 10003 }]);
    }
    if ((m = /^\/channels\/(\d+)\/messages$/.exec(path)) && method === 'POST') {
      const denied = this.needsAuth(call);
      if (denied) return denied;
      if (!(this.guild().channels as Json[]).some((c) => c.id === m![1])) return [404, { message: 'Unknown Channel', code: 10003 }];
      const key = body.nonce !== undefined && body.enforce_nonce ? `${m[1]}|${String(body.nonce)}` : undefined;
      const seen = key ? this.nonces.get(key) : undefined;
      if (seen) return [200, seen];
      const msg = this.newMessage(m[1], body, call);
      if (key) this.nonces.set(key, msg);
      const list = this.channelMessages.get(m[1]) ?? [];
      list.push(msg);
      this.channelMessages.set(m[1], list);
      return [200, msg];
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path)) && method === 'PATCH') {
      const denied = this.needsAuth(call);
      if (denied) return denied;
      const msg = this.messagesIn(m[1]).find((x) => x.id === m![2]);
      return msg ? [200, this.edit(msg, body, call)] : [404, { message: 'Unknown Message', code: 10008 }];
    }
    if ((m = /^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/.exec(path))) {
      const denied = this.needsAuth(call);
      if (denied) return denied;
      if (m[1] !== this.appId) return [403, { message: 'Missing Access', code: 50001 }];
      const scope = m[2] ?? 'global';
      if (method === 'PUT') {
        const saved = (Array.isArray(call.json) ? call.json : []).map((c) => ({ id: snowflake(), application_id: this.appId, version: snowflake(), ...(c as Json), ...(m![2] ? { guild_id: m![2] } : {}) }));
        this.registered.set(scope, saved);
        return [200, saved];
      }
      if (method === 'GET') return [200, this.registered.get(scope) ?? []];
    }
    return [404, { message: '404: Not Found', code: 0 }];
  }

  private onCallback(id: string, token: string, body: Json, call: RestCall): [number, unknown] {
    const st = this.interactions.get(token);
    if (!st || st.id !== id) return [404, { message: 'Unknown interaction', code: 10062 }];
    if (st.callbacks.length > 0) return [400, { message: 'Interaction has already been acknowledged.', code: 40060 }];
    const type = Number(body.type);
    const data = (body.data ?? {}) as Json;
    st.callbacks.push({ type, data, at: Date.now() });
    if (type === 4 || type === 5) {
      st.original = this.newMessage(st.channelId, type === 5 ? { flags: Number(data.flags ?? 0) | 128 } : data, call);
      st.original.interaction_token = token;
    } else if (type === 6 || type === 7) {
      if (!st.componentMessage) return [400, { message: 'Invalid interaction type', code: 50035 }];
      st.original = st.componentMessage;
      if (type === 7) this.edit(st.original, data, call);
    }
    if (call.query.get('with_response') === 'true') {
      return [200, { interaction: { id, type: 2, response_message_loading: type === 5, response_message_ephemeral: Boolean(Number(data.flags ?? 0) & 64) }, resource: { type, message: st.original } }];
    }
    return [204, undefined];
  }

  private attachmentsFor(channelId: string, files: UploadedFile[]): Json[] {
    return files.map((f) => {
      const id = snowflake();
      return {
        id,
        filename: f.filename,
        size: f.data.length,
        content_type: f.contentType,
        url: `${this.restUrl}/attachments/${channelId}/${id}/${f.filename}`,
        proxy_url: `${this.restUrl}/attachments/${channelId}/${id}/${f.filename}`,
      };
    });
  }

  /** Discord turns `attachment://NAME` into the uploaded file's URL. */
  private resolveEmbeds(embeds: Json[], attachments: Json[]): Json[] {
    return embeds.map((e) => {
      const out = { ...e };
      for (const key of ['image', 'thumbnail'] as const) {
        const media = out[key] as { url?: string } | undefined;
        const ref = media?.url?.startsWith('attachment://') ? media.url.slice('attachment://'.length) : undefined;
        if (ref) {
          const a = attachments.find((x) => x.filename === ref);
          out[key] = a ? { url: a.url, proxy_url: a.proxy_url, width: 1000, height: 500 } : { url: media!.url };
        }
      }
      return out;
    });
  }

  private newMessage(channelId: string, body: Json, call: RestCall): FakeMessage {
    const attachments = this.attachmentsFor(channelId, call.files);
    const ref = body.message_reference as Json | undefined;
    return {
      id: snowflake(),
      channel_id: channelId,
      guild_id: IDS.guild,
      author: { id: IDS.bot, username: 'corrwatch', discriminator: '0', global_name: null, avatar: null, bot: true },
      content: String(body.content ?? ''),
      embeds: this.resolveEmbeds((body.embeds as Json[]) ?? [], attachments),
      components: (body.components as Json[]) ?? [],
      attachments,
      flags: Number(body.flags ?? 0),
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      pinned: false,
      type: ref ? 19 : 0,
      ...(body.nonce !== undefined ? { nonce: body.nonce as string } : {}),
      ...(ref ? { message_reference: { ...ref, channel_id: channelId, guild_id: IDS.guild } } : {}),
    };
  }

  private edit(msg: FakeMessage, body: Json, call: RestCall): FakeMessage {
    let attachments = msg.attachments;
    if (Array.isArray(body.attachments)) {
      const keep = new Set((body.attachments as Json[]).map((a) => String(a.id)));
      attachments = attachments.filter((a) => keep.has(String(a.id)));
    }
    attachments = [...attachments, ...this.attachmentsFor(msg.channel_id, call.files)];
    msg.attachments = attachments;
    if ('content' in body) msg.content = String(body.content ?? '');
    if ('embeds' in body) msg.embeds = this.resolveEmbeds((body.embeds as Json[]) ?? [], attachments);
    if ('components' in body) msg.components = (body.components as Json[]) ?? [];
    if (msg.flags & 128) msg.flags &= ~128;
    msg.edited_timestamp = new Date().toISOString();
    return msg;
  }
}
