import { afterAll, beforeAll, beforeEach } from 'vitest';
import { startOpenAiServer, type OpenAiServer, type OpenAiServerOptions } from './openai-server.ts';

/**
 * One OpenAI-compatible test server for the whole test file: started in `beforeAll`, closed in
 * `afterAll`, and before each test its recorded requests are forgotten and `reset` is applied
 * (name every option a test of the file changes, so no test sees another's script). Call it at
 * the top level of a test file; the returned handle forwards to the running server, so it is
 * usable inside hooks and tests only.
 *
 * @example
 * const server = useOpenAiServer({ script: undefined, completion: undefined });
 * it('answers', async () => {
 *   server.queue({ kind: 'status', status: 503 });
 *   // ... call server.url ...
 *   expect(server.requests).toHaveLength(2);
 * });
 */
export function useOpenAiServer(reset: Partial<OpenAiServerOptions> = {}): OpenAiServer {
  let running: OpenAiServer | undefined;
  const live = (): OpenAiServer => {
    if (!running) throw new Error('the OpenAI test server is not started: use it inside a hook or a test');
    return running;
  };
  beforeAll(async () => {
    running = await startOpenAiServer();
  });
  afterAll(async () => {
    await running?.close();
  });
  beforeEach(() => {
    const server = live();
    server.requests.length = 0;
    server.set(reset);
  });
  return {
    get url() {
      return live().url;
    },
    get requests() {
      return live().requests;
    },
    get served() {
      return live().served;
    },
    queue: (...behaviours) => live().queue(...behaviours),
    set: (options) => live().set(options),
    close: () => live().close(),
  };
}
