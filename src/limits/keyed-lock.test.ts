import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.ts';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('KeyedLock', () => {
  it('runs the tasks of one key one at a time, in call order', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const task = (name: string) => async (): Promise<string> => {
      events.push(`start ${name}`);
      await turn();
      await turn();
      events.push(`end ${name}`);
      return name;
    };
    const results = await Promise.all([lock.run('k', task('a')), lock.run('k', task('b')), lock.run('k', task('c'))]);
    expect(results).toEqual(['a', 'b', 'c']);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(lock.size).toBe(0);
  });

  it('runs different keys concurrently', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const task = (name: string) => async (): Promise<void> => {
      events.push(`start ${name}`);
      await turn();
      events.push(`end ${name}`);
    };
    await Promise.all([lock.run('x', task('x')), lock.run('y', task('y'))]);
    expect(events.slice(0, 2)).toEqual(['start x', 'start y']);
  });

  it('keeps going after a task fails', async () => {
    const lock = new KeyedLock();
    const failed = lock.run('k', () => Promise.reject(new Error('boom')));
    const next = lock.run('k', () => Promise.resolve('next'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('next');
    expect(lock.size).toBe(0);
  });
});
