import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

function importsOf(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  return [...text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
}

/** Which folder may import which SDK (DESIGN.md: only the adapter imports the platform SDK). */
const RULES: { pkg: RegExp; allowed: string }[] = [
  { pkg: /^ccxt$/, allowed: 'src/market/ccxt-source.ts' },
  { pkg: /^@slack\//, allowed: 'src/adapters/slack/' },
  { pkg: /^discord\.js$|^@discordjs\//, allowed: 'src/adapters/discord/' },
  { pkg: /^chart\.js|^chartjs-|^@napi-rs\/canvas$/, allowed: 'src/chart/' },
  { pkg: /^lowdb/, allowed: 'src/store/' },
];

describe('module boundaries', () => {
  const all = [...files(join(ROOT, 'src')), ...files(join(ROOT, 'commands'))];

  it('finds the source files', () => {
    expect(all.length).toBeGreaterThan(30);
  });

  for (const rule of RULES) {
    it(`only ${rule.allowed} imports ${rule.pkg.source}`, () => {
      const offenders = all.filter((f) => !relative(ROOT, f).startsWith(rule.allowed) && importsOf(f).some((i) => rule.pkg.test(i)));
      expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
    });
  }

  it('statistics, regime and alert policy modules do no I/O', () => {
    const pure = all.filter((f) => /src\/(stats|regime|alerts\/(policy|evaluate|check|alert-state|reasons))/.test(relative(ROOT, f)));
    expect(pure.length).toBeGreaterThan(5);
    const io = pure.filter((f) => importsOf(f).some((i) => /^node:(fs|net|http|https|child_process)|^(fs|net|http|https)$/.test(i)));
    expect(io.map((f) => relative(ROOT, f))).toEqual([]);
  });
});
