// Readings of a process from /proc (Linux), for the benches that measure corrwatch in its own process.
import { readFileSync } from 'node:fs';

/** CPU seconds (user + system, all threads) a process has used; NaN where /proc is missing. */
export function cpuSeconds(pid: number | 'self'): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return NaN;
  }
}

/** VmHWM (peak RSS) of a process in MB; undefined where /proc is missing. */
export function peakRssMb(pid: number | 'self'): number | undefined {
  try {
    const m = /VmHWM:\s*(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}
