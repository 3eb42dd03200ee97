import { describe, expect, it } from 'vitest';
import { findNonJson } from '../../src/store/json-check.js';

describe('findNonJson', () => {
  it('accepts what JSON round-trips unchanged, including undefined object properties and null-prototype objects', () => {
    const bare = Object.assign(Object.create(null) as object, { a: 1 });
    expect(findNonJson({ a: [1, 'x', true, null, { b: -0.5 }], gone: undefined, bare }, 'v')).toBeUndefined();
  });

  it.each([
    [{ z: NaN }, 'v.z is NaN'],
    [{ z: [1, Infinity] }, 'v.z[1] is Infinity'],
    [{ when: new Date(0) }, 'v.when is a Date'],
    [{ m: new Map() }, 'v.m is a Map'],
    [[1, undefined], 'v[1] is undefined'],
    [{ n: 1n }, 'v.n is a bigint'],
    [{ f: () => 1 }, 'v.f is a function'],
  ])('reports %o', (value, says) => {
    expect(findNonJson(value, 'v')).toContain(says);
  });

  it('reports a value that refers back to itself', () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(findNonJson(loop, 'v')).toBe('v.self refers back to itself');
  });
});
