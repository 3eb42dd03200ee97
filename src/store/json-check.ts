/**
 * Describe the first value in `value` that JSON cannot hold faithfully (NaN/Infinity become null, a Date becomes
 * a string, a Map becomes {}, undefined in an array becomes null, functions and bigints fail), or undefined when
 * the value round-trips through JSON unchanged. An object property whose value is undefined is fine: it is simply
 * absent after the round trip, as an optional field should be. `path` names the value in the description.
 */
export function findNonJson(value: unknown, path: string, ancestors: object[] = []): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value}, which JSON cannot hold`;
    case 'object':
      return value === null ? undefined : findInObject(value, path, ancestors);
    default:
      return `${path} is a ${typeof value}, which JSON cannot hold`;
  }
}

function findInObject(value: object, path: string, ancestors: object[]): string | undefined {
  if (ancestors.includes(value)) return `${path} refers back to itself`;
  const inner = [...ancestors, value];
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = `${path}[${i}]`;
      const problem = value[i] === undefined ? `${p} is undefined, which JSON turns into null` : findNonJson(value[i], p, inner);
      if (problem) return problem;
    }
    return undefined;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    return `${path} is a ${value.constructor?.name ?? 'non-plain object'}, not a plain object`;
  }
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const problem = findNonJson(v, `${path}.${key}`, inner);
    if (problem) return problem;
  }
  return undefined;
}
