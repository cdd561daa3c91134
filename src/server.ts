/**
 * Composition root of the site: chooses adapters, wires the services and listens. Nothing happens at
 * import time; `startServer` does it all and returns a handle to stop it.
 */

import type { FastifyInstance } from 'fastify';
import { buildApp } from './web/app.js';

export interface ServerOptions {
  host: string;
  port: number;
}

export interface RunningServer {
  url: string;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const app = buildApp();
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return { url: `http://${host}:${port}`, app, close: () => app.close() };
}
