import type { IncomingMessage, ServerResponse } from 'node:http';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express from 'express';

/** A node:http request handler for everything under the board's base path. */
export type BoardHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** Options of {@link createQueueBoard}. */
export interface QueueBoardOptions {
  /** The queues to show. */
  readonly queues: readonly Queue[];
  /** URL path the board is served under. Default `/dashboard`. */
  readonly basePath?: string;
  /** Title in the page header. Default `evalwatch queues`. */
  readonly title?: string;
}

/**
 * The bull-board UI and its JSON API as one node:http handler, mounted by our own server (which
 * does the token check and refuses every method but GET and HEAD before the request gets here).
 * Every queue is added with `readOnlyMode: true`, so the board itself also refuses to retry,
 * clean, pause, promote, add or remove jobs: the dashboard looks, it never acts.
 *
 * @example
 * const board = createQueueBoard({ queues: [runsQueue, unitsQueue] });
 * // in the server: if (path.startsWith('/dashboard')) return board(req, res);
 */
export function createQueueBoard(o: QueueBoardOptions): BoardHandler {
  const basePath = o.basePath ?? '/dashboard';
  const adapter = new ExpressAdapter();
  adapter.setBasePath(basePath);
  createBullBoard({
    queues: o.queues.map((q) => new BullMQAdapter(q, { readOnlyMode: true, allowRetries: false })),
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: o.title ?? 'evalwatch queues' } },
  });
  const board = adapter.getRouter() as express.Express;
  board.disable('x-powered-by');
  const app = express();
  app.disable('x-powered-by');
  app.use(basePath, board);
  // Anything the board does not know is a plain 404 (express would answer with an HTML page).
  app.use((_req: express.Request, res: express.Response) => {
    res.status(404).type('text/plain').send('not found\n');
  });
  return (req, res) => app(req, res);
}
