import type { Command } from 'commander';
import { withConfigOption } from '../options.ts';
import type { WorkerOptions } from './worker-action.ts';

// The action is loaded on use: it pulls in bullmq, ioredis, express, bull-board, the judge
// (openai) and alerting (Slack), which `--help` and the other commands do not need.
const action = () => import('./worker-action.ts');

/**
 * `evalwatch worker`: starts the queue workers, reconciles the schedules, serves /healthz /readyz
 * /metrics, and on SIGTERM/SIGINT stops gracefully (exit 0).
 */
export function register(program: Command): void {
  withConfigOption(
    program
      .command('worker')
      .description('start the queue workers, register the schedules, serve /healthz /readyz /metrics')
      .option('--concurrency <n>', 'unit jobs run at the same time in this process (default 4)')
      .option('--http-port <n>', 'port of /healthz /readyz /metrics (default: config http.port, 9464; 0 picks one)'),
  ).action(async function (this: Command, opts: WorkerOptions) {
    await (await action()).workerCommand(this, opts);
  });
}
