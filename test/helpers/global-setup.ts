import { assertTestRedis } from './redis.ts';

/**
 * Runs once before the suite: the queue tests talk to a real Redis, so an unreachable Redis fails
 * the whole run with instructions rather than silently skipping those tests.
 */
export default async function setup(): Promise<void> {
  await assertTestRedis();
}
