import { describe, expect, it } from 'vitest';
import { KeyedSerialQueue, Semaphore, SerialQueue } from '../../src/domain/serial-queue.js';

/** A promise with its resolve handle, so a test decides when a task finishes. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe('SerialQueue', () => {
  it('runs tasks one at a time in order, and a failure rejects only its own task', async () => {
    const q = new SerialQueue();
    const order: string[] = [];
    const g = gate();
    const a = q.run(async () => {
      order.push('a start');
      await g.opened;
      order.push('a end');
      return 1;
    });
    const b = q.run(async () => {
      order.push('b');
      throw new Error('b failed');
    });
    const c = q.run(async () => {
      order.push('c');
      return 3;
    });
    await Promise.resolve();
    expect(order).toEqual(['a start']);
    g.open();
    await expect(a).resolves.toBe(1);
    await expect(b).rejects.toThrow('b failed');
    await expect(c).resolves.toBe(3);
    expect(order).toEqual(['a start', 'a end', 'b', 'c']);
  });
});

describe('KeyedSerialQueue', () => {
  it('serialises tasks of one key, runs other keys meanwhile, and forgets idle keys', async () => {
    const q = new KeyedSerialQueue();
    const order: string[] = [];
    const g = gate();
    const x1 = q.run('x', async () => {
      await g.opened;
      order.push('x1');
    });
    const x2 = q.run('x', async () => {
      order.push('x2');
    });
    const y = q.run('y', async () => {
      order.push('y');
    });
    await y;
    expect(order).toEqual(['y']);
    expect(q.size).toBe(1);
    g.open();
    await Promise.all([x1, x2]);
    expect(order).toEqual(['y', 'x1', 'x2']);
    expect(q.size).toBe(0);
  });

  it('idle() resolves once every task queued so far has settled, failed ones included', async () => {
    const q = new KeyedSerialQueue();
    const g = gate();
    let done = 0;
    void q.run('a', async () => {
      await g.opened;
      done++;
    });
    q.run('b', async () => {
      done++;
      throw new Error('b failed');
    }).catch(() => undefined);
    let idle = false;
    const waiting = q.idle().then(() => (idle = true));
    await Promise.resolve();
    expect(idle).toBe(false);
    g.open();
    await waiting;
    expect(done).toBe(2);
  });
});

describe('Semaphore', () => {
  it('runs at most `size` tasks at once, the others in the order they came, and goes on after a failure', async () => {
    const s = new Semaphore(2);
    const gates = [gate(), gate(), gate(), gate()];
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const tasks = gates.map((g, i) =>
      s.run(async () => {
        started.push(i);
        running++;
        most = Math.max(most, running);
        await g.opened;
        running--;
        if (i === 0) throw new Error('task 0 failed');
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(s.waiting).toBe(2);
    gates[0].open();
    await expect(tasks[0]).rejects.toThrow('task 0 failed');
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    expect(await Promise.all(tasks.slice(1))).toEqual([1, 2, 3]);
    expect(most).toBe(2);
    expect(s.waiting).toBe(0);
  });
});
