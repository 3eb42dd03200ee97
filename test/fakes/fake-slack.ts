/**
 * A fake Slack Web API on 127.0.0.1 (port 0), for end-to-end tests of the real Bolt App and WebClient.
 *
 * Serves `POST /api/<method>` for auth.test, chat.postMessage, chat.update, files.getUploadURLExternal,
 * files.completeUploadExternal (anything else: `{ok:false,error:'unknown_method'}`), the upload URL it hands out
 * (`POST /upload/<fileId>`, multipart like the WebClient sends) and response_url endpoints (`POST /response/<id>`,
 * JSON). Every request is recorded, in order, with its parsed body; posted messages are kept (and changed by
 * chat.update) so a test can read a message as a channel would show it.
 *
 * Socket Mode: `apps.connections.open` (with the app token) answers a `ws://` URL on this fake, which greets each
 * connection with `hello`; `sendEnvelope` pushes an event (e.g. a slash command) and the client's acks are
 * recorded as `socket_ack` calls.
 *
 * Like Slack: errors are HTTP 200 with `{ok:false,error}`; a token other than `token` gets `invalid_auth`;
 * a channel in `notInChannel` gets `not_in_channel`. Behaviours per method: answer 429 with Retry-After, or 500,
 * the next k times; or reset the connection without an answer, before doing the call or after doing it (the answer
 * is lost: a message is posted all the same).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// `ws` comes with @slack/socket-mode (Bolt's Socket Mode client uses it too).
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeSlackCall {
  /** Web API method (`chat.postMessage`), `upload` or `response_url`. */
  method: string;
  /** Parsed body: form fields (JSON values decoded), or the JSON of a response_url POST. */
  body: Record<string, unknown>;
  /** The bearer token sent, if any. */
  token?: string;
  /** HTTP status answered. */
  status: number;
  /** Date.now() when the request arrived. */
  at: number;
  /**
   * The connection was reset instead of answering (status 0): `before` the call was done (nothing happened), or
   * `after` it (what it did stands, e.g. the message is posted; only the answer was lost).
   */
  reset?: 'before' | 'after';
  /** Upload: the bytes of the file part. */
  bytes?: Buffer;
  /** response_url: the id in the path. */
  responseId?: string;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text?: string;
  blocks?: unknown[];
  /** How many times chat.update changed it. */
  updates: number;
  /** Message metadata as posted (`{ event_type, event_payload }`). */
  metadata?: unknown;
}

export interface FakeFile {
  id: string;
  filename: string;
  length: number;
  bytes?: Buffer;
  /** Set by files.completeUploadExternal: from then on a message may show it (image block `slack_file: { id }`). */
  completed?: boolean;
  /** Set by files.completeUploadExternal (undefined: private to the bot). */
  channel?: string;
  /** The share's message text (`initial_comment`). */
  comment?: string;
  threadTs?: string;
  title?: string;
}

export interface FakeSlackBehavior {
  /** Answer the next n calls with HTTP 429 and Retry-After: retryAfterSec. */
  rateLimit?: number;
  retryAfterSec?: number;
  /** Then answer the next n calls with HTTP 500. */
  serverError?: number;
  /** Then answer the next n calls with `{ok:false, error}`. */
  platformError?: { error: string; times: number };
  /** Then reset the connection (socket destroyed, no answer) on the next n calls, before doing them. */
  reset?: number;
  /** Then do the next n calls and reset the connection instead of answering (the work done, the answer lost). */
  loseAnswer?: number;
}

export interface FakeSlackOptions {
  /** Slack's clock, for message ts (seconds.sequence); default a fixed 1700000000. */
  now?: () => number;
  /** The bot token auth.test and every method accept; default `xoxb-fake-token`. */
  token?: string;
  /** Channels the bot is not a member of. */
  notInChannel?: string[];
  /** The app-level token apps.connections.open accepts (Socket Mode); default `xapp-fake-token`. */
  appToken?: string;
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT`: give it as SLACK_API_URL (the adapter adds `/api/`). */
  baseUrl: string;
  calls: FakeSlackCall[];
  messages: FakeMessage[];
  files: Map<string, FakeFile>;
  /** Channels the bot is not a member of (posts and file shares there get `not_in_channel`); mutable. */
  notInChannel: Set<string>;
  /** A response_url on this fake; what is POSTed to it is recorded as a `response_url` call with this id. */
  responseUrl(id: string): string;
  callsTo(method: string): FakeSlackCall[];
  /** Socket Mode: send an envelope to the connected client; returns its envelope_id. */
  sendEnvelope(type: string, payload: Record<string, unknown>): string;
  /** Socket Mode clients connected now. */
  readonly sockets: number;
  setBehavior(method: string, behavior: FakeSlackBehavior | null): void;
  /** Poll until `check` returns a value (not undefined/false), at most `timeoutMs`. */
  waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const t = v.trim();
    if (t.startsWith('[') || t.startsWith('{')) {
      try {
        out[k] = JSON.parse(t);
        continue;
      } catch {
        // not JSON after all: keep the text
      }
    }
    out[k] = v;
  }
  return out;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Like Slack: an `image` block must name exactly one of `image_url` / `slack_file`, a slack_file exactly one of `id` /
 * `url`, and the file must be an uploaded, completed image (png, jpg, jpeg, gif) the bot can see; else the message is
 * refused with `invalid_blocks` and a json-pointer to the block.
 */
function blockErrors(blocks: unknown, files: Map<string, FakeFile>): string[] {
  if (!Array.isArray(blocks)) return [];
  const errors: string[] = [];
  blocks.forEach((b: { type?: string; slack_file?: { id?: string; url?: string }; image_url?: string; alt_text?: string }, i) => {
    if (b?.type !== 'image') return;
    if (!b.alt_text) errors.push(`missing alt_text [json-pointer:/blocks/${i}/alt_text]`);
    if ((b.slack_file === undefined) === (b.image_url === undefined)) errors.push(`must provide exactly one of image_url, slack_file [json-pointer:/blocks/${i}]`);
    const sf = b.slack_file;
    if (!sf) return;
    const file = sf.id ? files.get(sf.id) : undefined;
    if ((sf.id === undefined) === (sf.url === undefined) || !file || !file.completed || !/\.(png|jpe?g|gif)$/i.test(file.filename)) {
      errors.push(`invalid slack file [json-pointer:/blocks/${i}/slack_file]`);
    }
  });
  return errors;
}

export async function startFakeSlack(opts: FakeSlackOptions = {}): Promise<FakeSlack> {
  const token = opts.token ?? 'xoxb-fake-token';
  const appToken = opts.appToken ?? 'xapp-fake-token';
  const notInChannel = new Set(opts.notInChannel ?? []);
  const calls: FakeSlackCall[] = [];
  const messages: FakeMessage[] = [];
  const files = new Map<string, FakeFile>();
  const behaviors = new Map<string, FakeSlackBehavior>();
  let seq = 0;
  let base = '';
  const nextTs = () => `${opts.now ? Math.floor(opts.now() / 1000) : 1700000000}.${String(++seq).padStart(6, '0')}`;

  const misbehave = (method: string): { status: number; body: unknown; headers?: Record<string, string>; reset?: 'before' | 'after' } | undefined => {
    const b = behaviors.get(method);
    if (!b) return undefined;
    if (b.rateLimit && b.rateLimit > 0) {
      b.rateLimit--;
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(b.retryAfterSec ?? 1) } };
    }
    if (b.serverError && b.serverError > 0) {
      b.serverError--;
      return { status: 500, body: 'Internal Server Error' };
    }
    if (b.platformError && b.platformError.times > 0) {
      b.platformError.times--;
      return { status: 200, body: { ok: false, error: b.platformError.error } };
    }
    if (b.reset && b.reset > 0) {
      b.reset--;
      return { status: 0, body: undefined, reset: 'before' };
    }
    if (b.loseAnswer && b.loseAnswer > 0) {
      b.loseAnswer--;
      return { status: 0, body: undefined, reset: 'after' };
    }
    return undefined;
  };

  const api = (method: string, body: Record<string, unknown>, sent: string | undefined): unknown => {
    if (method === 'apps.connections.open') return sent === appToken ? { ok: true, url: `${base.replace('http:', 'ws:')}/socket` } : { ok: false, error: 'invalid_auth' };
    if (sent !== token) return { ok: false, error: sent ? 'invalid_auth' : 'not_authed' };
    const channel = typeof body.channel === 'string' ? body.channel : typeof body.channel_id === 'string' ? body.channel_id : undefined;
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Fake', user: 'corrwatch', team_id: 'T0FAKE', user_id: 'U0BOT', bot_id: 'B0BOT' };
      case 'chat.postMessage': {
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        if (!body.text && !body.blocks) return { ok: false, error: 'no_text' };
        const invalid = blockErrors(body.blocks, files);
        if (invalid.length) return { ok: false, error: 'invalid_blocks', errors: invalid };
        const ts = nextTs();
        const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
        if (threadTs && !messages.some((m) => m.channel === channel && m.ts === threadTs)) return { ok: false, error: 'thread_not_found' };
        // Slack Web API clients send metadata JSON-encoded in a form body; this fake takes either.
        const metadata = typeof body.metadata === 'string' ? (JSON.parse(body.metadata) as unknown) : body.metadata;
        const m: FakeMessage = { channel, ts, threadTs, text: body.text as string | undefined, blocks: body.blocks as unknown[] | undefined, updates: 0, metadata };
        messages.push(m);
        return { ok: true, channel, ts, message: { type: 'message', ts, text: m.text, blocks: m.blocks, bot_id: 'B0BOT' } };
      }
      case 'chat.update': {
        const m = messages.find((x) => x.channel === channel && x.ts === body.ts);
        if (!m) return { ok: false, error: 'message_not_found' };
        const invalid = blockErrors(body.blocks, files);
        if (invalid.length) return { ok: false, error: 'invalid_blocks', errors: invalid };
        m.text = body.text as string | undefined;
        m.blocks = body.blocks as unknown[] | undefined;
        m.updates++;
        return { ok: true, channel, ts: m.ts, text: m.text };
      }
      case 'files.getUploadURLExternal': {
        const length = Number(body.length);
        if (typeof body.filename !== 'string' || !Number.isInteger(length) || length <= 0) return { ok: false, error: 'invalid_arguments' };
        const id = `F${String(++seq).padStart(8, '0')}`;
        files.set(id, { id, filename: body.filename, length });
        return { ok: true, upload_url: `${base}/upload/${id}`, file_id: id };
      }
      case 'files.completeUploadExternal': {
        const list = body.files as { id: string; title?: string }[] | undefined;
        if (!Array.isArray(list) || list.length === 0) return { ok: false, error: 'invalid_arguments' };
        if (channel && notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        for (const f of list) {
          const file = files.get(f.id);
          if (!file || !file.bytes) return { ok: false, error: 'file_not_found' };
          file.completed = true;
          file.channel = channel;
          file.comment = typeof body.initial_comment === 'string' ? body.initial_comment : undefined;
          file.threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
          file.title = f.title;
        }
        return { ok: true, files: list.map((f) => ({ id: f.id, title: f.title ?? '' })) };
      }
      case 'conversations.open': {
        // The bot's DM with one user: `D` + the user id.
        const users = typeof body.users === 'string' ? body.users.split(',') : [];
        if (users.length !== 1 || !users[0]) return { ok: false, error: 'users_list_not_supplied' };
        return { ok: true, channel: { id: `D${users[0]}` } };
      }
      case 'conversations.history':
      case 'conversations.replies': {
        // Newest first, as Slack answers; top-level messages (history) or a thread with its parent (replies).
        // Metadata only with include_all_metadata; history needs channels:history, which this fake grants.
        if (!channel) return { ok: false, error: 'channel_not_found' };
        if (notInChannel.has(channel)) return { ok: false, error: 'not_in_channel' };
        const oldest = Number(body.oldest ?? 0);
        const withMeta = body.include_all_metadata === true || body.include_all_metadata === 'true';
        const inScope = (m: FakeMessage) =>
          m.channel === channel && Number(m.ts) >= oldest && (method === 'conversations.history' ? m.threadTs === undefined : m.ts === body.ts || m.threadTs === body.ts);
        const list = messages.filter(inScope).reverse();
        return { ok: true, has_more: false, messages: list.map((m) => ({ type: 'message', ts: m.ts, text: m.text, bot_id: 'B0BOT', ...(m.threadTs ? { thread_ts: m.threadTs } : {}), ...(withMeta && m.metadata ? { metadata: m.metadata } : {}) })) };
      }
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const at = Date.now();
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', ...headers });
      res.end(text);
      return status;
    };
    const auth = req.headers.authorization;
    const sentToken = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    if (req.method !== 'POST') {
      send(405, { ok: false, error: 'method_not_allowed' });
      return;
    }
    if (url.pathname.startsWith('/api/')) {
      const method = url.pathname.slice('/api/'.length);
      const ct = req.headers['content-type'] ?? '';
      const body = ct.includes('application/json') ? (JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>) : parseForm(raw.toString('utf8'));
      const token = sentToken ?? (typeof body.token === 'string' ? body.token : undefined);
      const call: FakeSlackCall = { method, body, token, status: 0, at };
      calls.push(call);
      const bad = misbehave(method);
      if (bad?.reset) {
        // Done (or not), then the connection is cut: the client sees a reset and never learns the outcome.
        if (bad.reset === 'after') api(method, body, token);
        call.reset = bad.reset;
        req.socket.destroy();
        return;
      }
      call.status = bad ? send(bad.status, bad.body, bad.headers) : send(200, api(method, body, token));
      return;
    }
    if (url.pathname.startsWith('/upload/')) {
      const id = url.pathname.slice('/upload/'.length);
      const form = await new Response(raw, { headers: { 'content-type': req.headers['content-type'] ?? '' } }).formData();
      let bytes: Buffer | undefined;
      for (const [, v] of form) if (typeof v !== 'string') bytes = Buffer.from(await v.arrayBuffer());
      const call: FakeSlackCall = { method: 'upload', body: { fileId: id }, token: sentToken, status: 0, at, bytes };
      calls.push(call);
      const file = files.get(id);
      if (!file || !bytes) {
        call.status = send(404, 'no such upload');
        return;
      }
      file.bytes = bytes;
      call.status = send(200, `OK - ${bytes.length}`);
      return;
    }
    if (url.pathname.startsWith('/response/')) {
      const responseId = url.pathname.slice('/response/'.length);
      const call: FakeSlackCall = { method: 'response_url', body: JSON.parse(raw.toString('utf8') || '{}') as Record<string, unknown>, status: 0, at, responseId };
      calls.push(call);
      // Slack answers a refused response_url message with 404 and a JSON error (e.g. invalid_blocks); the
      // `response_url` behaviour's platformError does the same.
      const bad = misbehave('response_url');
      if (bad) {
        call.status = send(bad.status === 200 ? 404 : bad.status, bad.body, bad.headers);
        return;
      }
      const invalid = blockErrors(call.body.blocks, files);
      call.status = invalid.length ? send(404, { ok: false, error: 'invalid_blocks', errors: invalid }) : send(200, 'ok');
      return;
    }
    send(404, 'not found');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`fake slack failed: ${(e as Error).message}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const wss = new WebSocketServer({ server, path: '/socket' });
  const sockets = new Set<WebSocket>();
  let envelopes = 0;
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(String(data)) as Record<string, unknown>;
      } catch {
        body = { raw: String(data) };
      }
      calls.push({ method: 'socket_ack', body, status: 0, at: Date.now() });
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0CORR' } }));
  });

  return {
    baseUrl: base,
    calls,
    messages,
    files,
    notInChannel,
    responseUrl: (id) => `${base}/response/${id}`,
    callsTo: (method) => calls.filter((c) => c.method === method),
    sendEnvelope(type, payload) {
      const envelope_id = `env-${++envelopes}`;
      const text = JSON.stringify({ envelope_id, type, accepts_response_payload: type === 'slash_commands', payload });
      for (const ws of sockets) ws.send(text);
      return envelope_id;
    },
    get sockets() {
      return sockets.size;
    },
    setBehavior(method, behavior) {
      if (behavior === null) behaviors.delete(method);
      else behaviors.set(method, { ...behavior, platformError: behavior.platformError ? { ...behavior.platformError } : undefined });
    },
    async waitFor(what, check, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (true) {
        const v = check();
        if (v !== undefined && v !== false) return v as never;
        if (Date.now() > until) throw new Error(`fake slack: timed out after ${timeoutMs} ms waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
