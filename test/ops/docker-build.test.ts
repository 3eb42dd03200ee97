import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * No Docker engine runs here, so the image is rehearsed (issue 10): the Dockerfile's own instructions, stage by
 * stage, in a temp directory per stage: COPY from the build context (minus .dockerignore) or from an earlier stage,
 * ENV, every RUN as written (npm ci, the build, the production prune; npm commands get --prefer-offline so they are
 * served by the local cache), then ENTRYPOINT + CMD started on the simulator with a temp data dir and no chat tokens,
 * asked /healthz and /metrics, its HEALTHCHECK command run, and stopped with SIGTERM. What the prune removes that
 * start needs fails here. Slow (npm ci): about a minute.
 */

interface Stage {
  name: string;
  /** The stage's file system: its WORKDIR, here a temp directory. */
  dir: string;
  workdir: string;
  env: Record<string, string>;
}

/** A path of a stage (relative to its WORKDIR, or absolute inside it) on this machine. */
function inStage(stage: Stage, path: string): string {
  if (!path.startsWith('/')) return join(stage.dir, path);
  const rel = relative(stage.workdir, path);
  if (rel.startsWith('..')) throw new Error(`${path} is outside the stage's WORKDIR ${stage.workdir}: the rehearsal cannot place it`);
  return join(stage.dir, rel);
}

/** Instructions with their continuation lines joined, comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

/** `KEY=value KEY2=value2` (unquoted values, as this Dockerfile writes them). */
function envPairs(rest: string): Record<string, string> {
  return Object.fromEntries(rest.split(/\s+/).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

/** Docker's JSON (exec) form, or the shell form run by sh -c. */
function argv(rest: string): string[] {
  return rest.startsWith('[') ? (JSON.parse(rest) as string[]) : ['sh', '-c', rest];
}

function run(cmd: string[], cwd: string, env: Record<string, string>, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd.join(' ')} failed (${signal ?? `exit ${code}`}):\n${out.slice(-3000)}`));
    });
  });
}

/** The environment a RUN sees: this machine's PATH, HOME and npm settings, the stage's ENV, and nothing of the test run. */
function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'NODE_ENV' || k === 'NODE_OPTIONS' || k.startsWith('VITEST') || k.startsWith('npm_') || /^(SLACK|DISCORD|CORRWATCH)_/.test(k) || k === 'PORT' || k === 'HOST') continue;
    env[k] = v;
  }
  return env;
}

describe('the Dockerfile, rehearsed without Docker', () => {
  // In memory where there is a tmpfs: two node_modules trees (~15,000 files each) cost 20 s to delete on this disk.
  const work = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'cw-docker-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('npm ci, build and prune as the Dockerfile does, then the pruned app starts and serves /healthz and /metrics', async () => {
    const t0 = Date.now();
    const ignored = new Set(
      readFileSync(join(ROOT, '.dockerignore'), 'utf8')
        .split('\n')
        .map((l) => l.trim().replace(/^\/|\/$/g, ''))
        .filter((l) => l && !l.startsWith('#')),
    );
    const stages: Stage[] = [];
    let stage: Stage | undefined;
    let entrypoint: string[] = [];
    let cmd: string[] = [];
    let healthcheck: string[] | undefined;
    let volume: string | undefined;
    const dataDir = join(work, 'data');
    const timings: string[] = [];
    for (const line of instructions(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))) {
      const [op, ...restParts] = line.split(/\s+/);
      const rest = restParts.join(' ');
      if (op === 'FROM') {
        const name = /\bAS\s+(\S+)/i.exec(rest)?.[1] ?? String(stages.length);
        stage = { name, dir: join(work, `stage-${stages.length}`), workdir: '/', env: {} };
        mkdirSync(stage.dir);
        stages.push(stage);
        continue;
      }
      if (!stage) throw new Error(`${op} before FROM`);
      switch (op) {
        case 'WORKDIR':
          stage.workdir = rest;
          break;
        case 'USER':
        case 'EXPOSE':
          break;
        case 'ENV':
          Object.assign(stage.env, envPairs(rest));
          break;
        case 'VOLUME':
          volume = (JSON.parse(rest) as string[])[0];
          break;
        case 'COPY': {
          const words = restParts.filter((w) => !w.startsWith('--chown'));
          const fromName = words[0].startsWith('--from=') ? words.shift()!.slice('--from='.length) : undefined;
          const from = fromName === undefined ? undefined : stages.find((s) => s.name === fromName);
          if (fromName !== undefined && !from) throw new Error(`COPY --from=${fromName}: no such stage`);
          const destText = words.pop()!;
          const dest = inStage(stage, destText);
          for (const src of words) {
            const clean = src.replace(/^\.\/|\/$/g, '');
            if (!from && ignored.has(clean)) continue;
            const path = from ? inStage(from, src) : join(ROOT, clean);
            if (!existsSync(path)) throw new Error(`COPY ${src}: not found`);
            // A directory's contents go into dest; a file into dest/ (or as dest).
            const target = statSync(path).isDirectory() || !destText.endsWith('/') ? dest : join(dest, basename(path));
            cpSync(path, target, {
              recursive: true,
              // The build context loses what .dockerignore names at its top (dist, node_modules, data, ...).
              filter: (p) => from !== undefined || !ignored.has(p.slice(ROOT.length + 1)),
            });
          }
          break;
        }
        case 'RUN': {
          // The volume's directory, made for the non-root user: here, the temp data directory.
          if (volume === undefined && /^mkdir -p \/\S+ && chown \S+ \/\S+$/.test(rest)) {
            mkdirSync(dataDir, { recursive: true });
            break;
          }
          const started = Date.now();
          const command = rest.replace(/\bnpm (ci|prune|install)\b/g, 'npm $1 --prefer-offline');
          await run(argv(command), stage.dir, { ...baseEnv(), ...stage.env }, 150_000);
          timings.push(`${rest.slice(0, 40)}: ${((Date.now() - started) / 1000).toFixed(0)} s`);
          break;
        }
        case 'HEALTHCHECK':
          healthcheck = JSON.parse(rest.slice(rest.indexOf('CMD ') + 4)) as string[];
          break;
        case 'ENTRYPOINT':
          entrypoint = JSON.parse(rest) as string[];
          break;
        case 'CMD':
          cmd = JSON.parse(rest) as string[];
          break;
        default:
          throw new Error(`the rehearsal does not know the instruction ${op}: teach it (test/ops/docker-build.test.ts)`);
      }
    }
    const app = stages[stages.length - 1];
    expect(stages.length).toBeGreaterThanOrEqual(2);
    // The prune ran: build tools are gone, what start needs is there.
    for (const dev of ['typescript', 'vitest', 'eslint', 'tsx']) expect(existsSync(join(app.dir, 'node_modules', dev)), dev).toBe(false);
    for (const dep of ['ccxt', 'pino', 'prom-client', 'lowdb']) expect(existsSync(join(app.dir, 'node_modules', dep)), dep).toBe(true);

    // ENTRYPOINT + CMD, with the image's ENV, on the simulator, no chat token, a temp data dir, any free port.
    mkdirSync(dataDir, { recursive: true });
    const env = { ...baseEnv(), ...app.env, CORRWATCH_DATA_DIR: dataDir, CORRWATCH_SOURCE: 'sim:42', PORT: '0', HOST: '127.0.0.1', LOG_FORMAT: 'json' };
    const full = [...entrypoint, ...cmd];
    expect(full[0]).toBe('node');
    const child = spawn(process.execPath, full.slice(1), { cwd: app.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    try {
      let port: number | undefined;
      for (const deadline = Date.now() + 30_000; port === undefined; ) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the app did not serve /healthz\nstdout: ${stdout}\nstderr: ${stderr}`);
        const line = stderr.split('\n').find((l) => l.includes('"serving /healthz and /metrics"'));
        if (line) port = (JSON.parse(line) as { port: number }).port;
        else await new Promise((r) => setTimeout(r, 50));
      }
      // 200 at once ('starting' until the first tick has run), then 'ok' after the first tick.
      let health: { status: string } | undefined;
      for (const deadline = Date.now() + 30_000; health?.status !== 'ok'; ) {
        if (Date.now() > deadline) throw new Error(`/healthz never said ok: ${JSON.stringify(health)}\nstderr: ${stderr}`);
        if (health) await new Promise((r) => setTimeout(r, 100));
        const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) });
        expect(res.status).toBe(200);
        health = (await res.json()) as { status: string };
        expect(['starting', 'ok']).toContain(health.status);
      }
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) });
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = await metrics.text();
      expect(text).toContain('# TYPE corrwatch_ticks_total counter');
      expect(text).toContain('corrwatch_ticks_total{outcome="ok"} 1');
      // The image's HEALTHCHECK command, as Docker would run it inside the container.
      expect(healthcheck?.[0]).toBe('node');
      await run([process.execPath, ...healthcheck!.slice(1)], app.dir, { ...env, PORT: String(port) }, 10_000);
      child.kill('SIGTERM');
      expect(await exited, stderr).toEqual({ code: 0, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    console.log(`docker rehearsal: ${((Date.now() - t0) / 1000).toFixed(0)} s (${timings.join(', ')})`);
  }, 240_000);
});
