import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openaiTargetSchema, httpTargetSchema, type HttpTargetConfig, type OpenAITargetConfig } from '../../../src/golden/config.ts';
import type { GoldenCase } from '../../../src/golden/types.ts';

/** A golden case with defaults, for target tests. */
export function goldenCase(id: string, input: GoldenCase['input'], vars: Record<string, unknown> = {}): GoldenCase {
  return { id, input, vars, assert: [], threshold: 1, tags: [], source: { file: 'golden/t.yaml', line: 1 } };
}

export function openaiConfig(baseURL: string, extra: Partial<Record<keyof OpenAITargetConfig, unknown>> = {}): OpenAITargetConfig {
  return openaiTargetSchema.parse({ kind: 'openai', baseURL, model: 'target-2025-01-01', timeoutMs: 2_000, ...extra });
}

export function httpConfig(url: string, extra: Partial<Record<keyof HttpTargetConfig, unknown>> = {}): HttpTargetConfig {
  return httpTargetSchema.parse({ kind: 'http', url, timeoutMs: 2_000, ...extra });
}

/** A request the little service saw. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A small local HTTP service whose handler a test scripts. */
export interface LocalService {
  url: string;
  seen: SeenRequest[];
  handler: (req: SeenRequest, res: ServerResponse) => void;
  close(): Promise<void>;
}

export async function startService(): Promise<LocalService> {
  const hanging = new Set<ServerResponse>();
  const svc: LocalService = {
    url: '',
    seen: [],
    handler: (_req, res) => res.end('{}'),
    close: async () => {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      svc.seen.push(seen);
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      svc.handler(seen, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  svc.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return svc;
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
