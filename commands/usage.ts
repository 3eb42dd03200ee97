import type { ArgSpec, CommandSpec, Surface } from './types.js';

function argToken(a: ArgSpec, surface: Surface): string {
  if (a.positional) {
    const core = a.name.toUpperCase() + (a.variadic ? '...' : '');
    return a.required ? core : `[${core}]`;
  }
  const opt = surface === 'cli' ? `--${a.name}` : `${a.name}:`;
  const core = a.flag ? opt : `${opt}${surface === 'cli' ? ' ' : ''}${a.name.toUpperCase()}`;
  return a.required ? core : `[${core}]`;
}

/** `corr A B [WINDOW] [METHOD] [--at AT]`: generated from the spec, per surface. */
export function usageLine(spec: CommandSpec, surface: Surface, prefix = ''): string {
  const args = spec.args.filter((a) => surface === 'cli' || !a.cliOnly).map((a) => argToken(a, surface));
  return [prefix + spec.name, ...args].join(' ');
}

export function offeredOn(spec: CommandSpec, surface: Surface): boolean {
  return !spec.surfaces || spec.surfaces.includes(surface);
}
