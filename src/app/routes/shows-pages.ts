/**
 * The shows pages and their forms, which work without scripts (POST, then a 303 back; an error
 * renders the form again with what was typed): `/` (Shows), `/add` (paste an address; OPML import
 * from a file or pasted text, multipart, its CSRF token in the query), `/shows/<id>` (a show: its
 * settings, check now, unsubscribe with a confirmation). The JSON API is `shows.ts`.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSeedcastError } from '../../errors.js';
import type { AppContext } from '../context.js';
import { findShow, SHOW_ID, showUrl } from '../lookup.js';
import { AddPage } from '../pages/add.js';
import { ShowPage, UnsubscribePage } from '../pages/show.js';
import { ShowsPage } from '../pages/shows.js';
import { sendAppPage } from '../server.js';
import {
  addShow,
  catchUpWithCli,
  importShows,
  refreshShow,
  removeShow,
  updateShow,
} from './shows-actions.js';

const OPML_FORM_LIMIT = 1024 * 1024;

const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', pattern: SHOW_ID } },
} as const;

const formBody = (properties: Record<string, unknown>) =>
  ({ type: 'object', properties: { _csrf: { type: 'string' }, ...properties } }) as const;

const noticeQuery = {
  type: 'object',
  properties: {
    done: { type: 'string', maxLength: 32 },
    n: { type: 'integer', minimum: 0 },
  },
} as const;

/** What a person can fix (a bad address, a page without a feed ...): said on the form, not as an error page. */
function userError(err: unknown): string | undefined {
  if (isSeedcastError(err) && err.status < 500) return err.message;
  return undefined;
}

function truthy(value: unknown): boolean {
  return value === 'true' || value === 'on' || value === '1' || value === 'yes';
}

/** The fields of a multipart form (text fields as strings, files read as text), bounded by the body limit. */
async function parseMultipart(request: FastifyRequest, body: Buffer): Promise<Record<string, string>> {
  const type = request.headers['content-type'] ?? '';
  const form = await new Response(new Uint8Array(body), { headers: { 'content-type': type } }).formData();
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) {
    if (name in fields) continue;
    fields[name] = typeof value === 'string' ? value : await value.text();
  }
  return fields;
}

export function showsPageRoutes(app: FastifyInstance, ctx: AppContext): void {
  const redirect = (reply: FastifyReply, to: string) => reply.redirect(to, 303);

  app.get<{ Querystring: { done?: string; n?: number } }>(
    '/',
    { schema: { querystring: noticeQuery } },
    async (request, reply) => {
      await catchUpWithCli(ctx);
      return sendAppPage(
        reply,
        ShowsPage({
          ctx,
          ...(request.query.done ? { notice: request.query.done } : {}),
          ...(request.query.n !== undefined ? { imported: request.query.n } : {}),
        }),
      );
    },
  );

  app.get('/add', { schema: {} }, async (_request, reply) => sendAppPage(reply, AddPage({ ctx })));

  app.post<{ Body: { url?: string } }>(
    '/add',
    { schema: { body: formBody({ url: { type: 'string', maxLength: 4096 } }) } },
    async (request, reply) => {
      const url = (request.body.url ?? '').trim();
      if (!url)
        return sendAppPage(
          reply,
          AddPage({ ctx, errors: { url: 'Paste the address of a feed or a page.' } }),
          422,
        );
      try {
        const { feed, added } = await addShow(ctx, url);
        return redirect(reply, `${showUrl(feed)}?done=${added ? 'added' : 'exists'}`);
      } catch (err) {
        const message = userError(err);
        if (!message) throw err;
        return sendAppPage(reply, AddPage({ ctx, url, errors: { url: message } }), 422);
      }
    },
  );

  app.register(async (scope) => {
    scope.addContentTypeParser(
      'multipart/form-data',
      { parseAs: 'buffer', bodyLimit: OPML_FORM_LIMIT },
      (request, body, done) => {
        parseMultipart(request, body as Buffer).then(
          (fields) => done(null, fields),
          (err: Error) => done(Object.assign(err, { statusCode: 400 })),
        );
      },
    );
    scope.post<{ Body: { opml?: string; opml_text?: string } }>(
      '/add/opml',
      {
        schema: {
          querystring: { type: 'object', properties: { _csrf: { type: 'string' } } },
          body: formBody({ opml: { type: 'string' }, opml_text: { type: 'string' } }),
        },
      },
      async (request, reply) => {
        const text = request.body.opml?.trim() ? request.body.opml : (request.body.opml_text ?? '');
        if (!text.trim())
          return sendAppPage(
            reply,
            AddPage({ ctx, errors: { opml: 'Choose an OPML file or paste its text.' } }),
            422,
          );
        try {
          const added = await importShows(ctx, text);
          return redirect(reply, `/?done=imported&n=${added}`);
        } catch (err) {
          const message = userError(err);
          if (!message) throw err;
          const opmlText = request.body.opml_text ?? '';
          return sendAppPage(reply, AddPage({ ctx, opmlText, errors: { opml: message } }), 422);
        }
      },
    );
  });

  app.get<{ Params: { id: string }; Querystring: { done?: string } }>(
    '/shows/:id',
    { schema: { params: idParams, querystring: noticeQuery } },
    async (request, reply) => {
      await catchUpWithCli(ctx);
      const feed = findShow(ctx, request.params.id);
      return sendAppPage(
        reply,
        ShowPage({ ctx, feed, ...(request.query.done ? { notice: request.query.done } : {}) }),
      );
    },
  );

  app.post<{
    Params: { id: string };
    Body: { keepLast?: string; autoDownload?: string; httpFallback?: string };
  }>(
    '/shows/:id/settings',
    {
      schema: {
        params: idParams,
        body: formBody({
          keepLast: { type: 'string', pattern: '^\\s*[0-9]{0,6}\\s*$' },
          autoDownload: { type: 'string', maxLength: 8 },
          httpFallback: { type: 'string', maxLength: 8 },
        }),
      },
    },
    async (request, reply) => {
      const feed = findShow(ctx, request.params.id);
      const keep = (request.body.keepLast ?? '').trim();
      await updateShow(ctx, feed, {
        ...(keep ? { keepLast: Number(keep) } : {}),
        autoDownload: truthy(request.body.autoDownload),
        ...(request.body.httpFallback !== undefined
          ? { httpFallback: truthy(request.body.httpFallback) }
          : {}),
      });
      return redirect(reply, `${showUrl(feed)}?done=saved`);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/shows/:id/refresh',
    { schema: { params: idParams, body: formBody({}) } },
    async (request, reply) => {
      const feed = await refreshShow(ctx, findShow(ctx, request.params.id));
      return redirect(reply, `${showUrl(feed)}?done=refreshed`);
    },
  );

  app.post<{ Params: { id: string }; Body: { confirm?: string } }>(
    '/shows/:id/unsubscribe',
    { schema: { params: idParams, body: formBody({ confirm: { type: 'string', maxLength: 8 } }) } },
    async (request, reply) => {
      const feed = findShow(ctx, request.params.id);
      if (request.body.confirm !== 'yes') return sendAppPage(reply, UnsubscribePage({ ctx, feed }));
      await removeShow(ctx, feed);
      return redirect(reply, '/?done=unsubscribed');
    },
  );
}
