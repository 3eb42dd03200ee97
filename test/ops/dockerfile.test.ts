import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = join(import.meta.dirname, '..', '..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
/** Instructions with their continuation lines joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));

/**
 * No Docker engine runs here, so the image's rules are checked on the file (issue 10): a multi-stage build, a
 * non-root final stage, a HEALTHCHECK on /healthz, and no build-only package in the production dependencies.
 */
describe('Dockerfile', () => {
  it('builds in one stage and runs from another, as a non-root user', () => {
    const froms = instructions.filter((l) => l.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const last = instructions.slice(instructions.lastIndexOf(froms[froms.length - 1]));
    expect(last.some((l) => /^USER (?!root\b)\S+/.test(l))).toBe(true);
    expect(last.some((l) => l.startsWith('COPY --from='))).toBe(true);
  });

  it('has a HEALTHCHECK that asks /healthz on PORT', () => {
    const hc = instructions.find((l) => l.startsWith('HEALTHCHECK '));
    expect(hc).toBeDefined();
    expect(hc).toContain('/healthz');
    expect(hc).toContain('process.env.PORT');
  });

  it('installs build tools only in the build stage: typescript, tsx, eslint and vitest are dev dependencies', () => {
    for (const name of ['typescript', 'tsx', 'eslint', 'vitest']) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.devDependencies[name], name).toBeDefined();
    }
    expect(instructions.some((l) => /npm prune --omit=dev/.test(l))).toBe(true);
  });
});

describe('docker-compose.yml', () => {
  const text = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');
  const compose = parse(text) as { services: Record<string, { build: string; ports: string[]; volumes: string[]; environment: Record<string, string> }>; volumes: Record<string, unknown> };
  it('runs the image with its data on a named volume, the port published, and secrets only from the environment', () => {
    const svc = compose.services.corrwatch;
    expect(svc.build).toBe('.');
    expect(svc.volumes).toContain('corrwatch-data:/data');
    expect(Object.keys(compose.volumes)).toContain('corrwatch-data');
    expect(svc.ports).toContain('3000:3000');
    for (const secret of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'DISCORD_TOKEN']) expect(svc.environment[secret]).toBe(`\${${secret}:-}`);
    expect(text).not.toMatch(/xox[abp]-/);
  });
});
