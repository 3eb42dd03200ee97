import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parsePostgresUrl } from '../../src/store/postgres/connection.js';

const ROOT = join(import.meta.dirname, '..', '..');
const text = readFileSync(join(ROOT, 'docker-compose.postgres.yml'), 'utf8');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

interface Service {
  build?: string;
  image?: string;
  command?: unknown;
  entrypoint?: unknown;
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
}

/** What Docker Compose does with `${VAR:?msg}` / `${VAR:-default}`: the value with `vars` put in. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::[?-][^}]*)?\}/g, (_, name: string) => vars[name] ?? '');
}

/**
 * No Docker engine runs here (README, Docker): docker-compose.postgres.yml (issue 13: PostgreSQL and three replicas)
 * is checked on the file: valid YAML (with the merge keys Compose reads), three replicas of the image this repository's
 * Dockerfile builds, each pointed at the database service with the credentials that service is created with, and
 * nothing secret written in it.
 */
describe('docker-compose.postgres.yml', () => {
  // Compose reads YAML merge keys (`<<: *corrwatch`); so does this parse.
  const compose = parse(text, { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const replicas = Object.entries(compose.services).filter(([name]) => name.startsWith('replica-'));
  const db = compose.services.db;

  it('runs PostgreSQL with a health check and its data on a named volume', () => {
    expect(db.image).toMatch(/^postgres:\d+/);
    expect(db.healthcheck?.test.join(' ')).toContain('pg_isready');
    expect(db.volumes).toContain('corrwatch-db:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes)).toContain('corrwatch-db');
  });

  it('runs three replicas of the image the Dockerfile builds, each on the database once it is healthy', () => {
    expect(replicas.map(([name]) => name)).toEqual(['replica-1', 'replica-2', 'replica-3']);
    for (const [name, svc] of replicas) {
      expect(svc.build, name).toBe('.');
      // The Dockerfile's ENTRYPOINT and CMD (start --no-console) run as they are.
      expect(svc.command, name).toBeUndefined();
      expect(svc.entrypoint, name).toBeUndefined();
      expect(svc.depends_on?.db?.condition, name).toBe('service_healthy');
    }
    expect(dockerfile).toMatch(/^CMD \["start", "--no-console"\]$/m);
    // The production image keeps node-postgres (the prune drops dev dependencies only).
    expect(pkg.dependencies.pg).toBeDefined();
  });

  it('publishes each replica\'s PORT (the Dockerfile\'s EXPOSE) on its own host port', () => {
    const exposed = /^EXPOSE (\d+)$/m.exec(dockerfile)![1];
    const hostPorts = replicas.map(([name, svc]) => {
      expect(svc.environment?.PORT, name).toBe(exposed);
      expect(svc.ports, name).toHaveLength(1);
      const [host, container] = svc.ports![0].split(':');
      expect(container, name).toBe(exposed);
      return host;
    });
    expect(new Set(hostPorts).size).toBe(3);
  });

  it('gives every replica the same DATABASE_URL, naming the db service with its user, password and database', () => {
    const vars = { POSTGRES_PASSWORD: 'pw123' };
    const urls = replicas.map(([, svc]) => interpolate(svc.environment!.DATABASE_URL, vars));
    expect(new Set(urls).size).toBe(1);
    const parsed = parsePostgresUrl(urls[0]);
    if ('problem' in parsed) throw new Error(parsed.problem);
    const url = parsed.url;
    expect(url.hostname).toBe('db');
    expect(url.port).toBe('5432');
    expect(url.username).toBe(interpolate(db.environment!.POSTGRES_USER, vars));
    expect(url.password).toBe(interpolate(db.environment!.POSTGRES_PASSWORD, vars));
    expect(url.pathname).toBe(`/${interpolate(db.environment!.POSTGRES_DB, vars)}`);
    // The password is required, from the environment, never written here.
    expect(db.environment!.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(replicas[0][1].environment!.DATABASE_URL).toContain('${POSTGRES_PASSWORD:?');
  });

  it('takes chat secrets only from the environment', () => {
    for (const [, svc] of replicas) {
      for (const secret of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'DISCORD_TOKEN']) expect(svc.environment![secret]).toBe(`\${${secret}:-}`);
    }
    expect(text).not.toMatch(/xox[abp]-/);
  });
});
