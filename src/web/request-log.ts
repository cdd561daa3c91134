/**
 * The site's request log (issue 19): Fastify's logger (pino, JSON lines on stdout) at the level given
 * by `--log-level` / `SEEDCAST_LOG_LEVEL`. At `info` and below each request is one line when it
 * completes (`method`, `path`, `status`, `responseTime` in ms, `reqId`; Fastify's own pair of
 * lines per request is off); the default (`warn`) prints none.
 * What could be secret never reaches a line: query values whose names look like secrets (`token`,
 * `key`, `password`, `secret`, `code`, `invite`, `sig`...) are replaced by `[redacted]`, and headers
 * are not logged at all (pino's redact removes Authorization, Cookie and Set-Cookie should a
 * serializer ever include them). Bodies are never logged.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const SECRET_PARAM = /token|key|pass|secret|code|invite|sig|auth|session|csrf/i;

/** The path and query of a URL with secret-looking query values replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  const out = new URLSearchParams();
  for (const [k, v] of params) out.append(k, SECRET_PARAM.test(k) ? '[redacted]' : v);
  const query = out.toString().replace(/%5Bredacted%5D/g, '[redacted]');
  return query ? `${url.slice(0, q)}?${query}` : url.slice(0, q);
}

/** Fastify `logger` options for a level (false for `silent`). */
export function requestLogger(level: LogLevel): false | Record<string, unknown> {
  if (level === 'silent') return false;
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'headers.authorization',
        'headers.cookie',
        '*.password',
        '*.token',
      ],
      remove: true,
    },
    serializers: {
      req: (req: FastifyRequest) => ({ method: req.method, path: redactUrl(req.url) }),
      res: (res: { statusCode: number }) => ({ status: res.statusCode }),
    },
  };
}

/** One `request` line per completed request (at info), instead of Fastify's two. */
export function installRequestLog(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        path: redactUrl(request.url),
        status: reply.statusCode,
        responseTime: Math.round(reply.elapsedTime * 10) / 10,
      },
      'request',
    );
  });
}
