/**
 * The site admin's page routes (issue 19): `GET|POST /admin/settings` (admins; visitors are sent to
 * log in, other accounts get a 403 page; the POST checks the CSRF field, answers 400 with the field
 * named, else 303 back with a notice), `GET /about` (the about page), and the favicon:
 * `/favicon.svg` (drawn here) and `/favicon.ico` (the same SVG: browsers take an SVG whatever the
 * name, and the address no longer 404s). Every route is hidden from the OpenAPI document.
 */

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAdmin, type SettingsPatch, type User } from '../../catalog/index.js';
import { isSeedcastError, SeedcastError } from '../../errors.js';
import type { PageContext } from '../pages/layout.js';
import { AboutPage, SettingsPage } from '../pages/settings.js';
import { checkCsrf } from '../session.js';
import type { PageKit } from './pages.js';

type Form = Record<string, string | undefined>;

/** A seed with two leaves in the site's accent colour, on a rounded square. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
<rect width="64" height="64" rx="14" fill="#0b57d0"/>
<path d="M32 54V30" stroke="#fff" stroke-width="5" stroke-linecap="round"/>
<path d="M32 32C32 20 22 13 12 14c0 11 8 18 20 18z" fill="#fff"/>
<path d="M32 28c0-10 9-16 20-15 0 10-8 16-20 15z" fill="#bfe3c8"/>
<circle cx="32" cy="54" r="4" fill="#f4b400"/>
</svg>
`;

/** The admin behind a page request; undefined after redirecting a visitor to log in. */
export async function adminPage(
  kit: PageKit,
  request: FastifyRequest,
  reply: FastifyReply,
  path: string,
): Promise<{ ctx: PageContext; user: User } | undefined> {
  const ctx = await kit.context(request, reply);
  const user = ctx.visitor.user;
  if (!user) {
    reply.redirect(`/login?next=${encodeURIComponent(path)}`, 303);
    return undefined;
  }
  if (!isAdmin(user)) throw new SeedcastError('FORBIDDEN', 'this page is for the site’s admins');
  return { ctx, user };
}

/** MiB as typed in a form: '' is `fallback`, 'none' null, else bytes; USAGE naming the field. */
function mibField(field: string, value: string | undefined, empty: 'config' | 'default') {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return empty;
  if (v === 'none' || v === 'unlimited') return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0)
    throw new SeedcastError('SETTINGS_INVALID', `${field}: a number of MiB, or empty`);
  return Math.round(n * 1024 ** 2);
}

export async function settingsPageRoutes(app: FastifyInstance, kit: PageKit): Promise<void> {
  const { site } = kit;
  const hidden = { schema: { hide: true } };

  app.get('/favicon.svg', hidden, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG),
  );
  app.get('/favicon.ico', hidden, async (_request, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(FAVICON_SVG),
  );

  app.get('/about', hidden, async (request, reply) => {
    const ctx = await kit.context(request, reply);
    return kit.send(reply, AboutPage({ ctx }));
  });

  const settingsOf = () => {
    if (!site.siteSettings) throw new SeedcastError('NOT_FOUND', 'this site keeps no settings');
    return site.siteSettings;
  };

  app.get<{ Querystring: { saved?: string } }>('/admin/settings', hidden, async (request, reply) => {
    const who = await adminPage(kit, request, reply, '/admin/settings');
    if (!who) return reply;
    const settings = await settingsOf().all();
    const notice = request.query.saved ? 'The settings were saved.' : undefined;
    return kit.send(reply, SettingsPage({ ctx: who.ctx, settings, ...(notice ? { notice } : {}) }));
  });

  app.post<{ Body: Form }>('/admin/settings', hidden, async (request, reply) => {
    const who = await adminPage(kit, request, reply, '/admin/settings');
    if (!who) return reply;
    const body = request.body ?? {};
    checkCsrf(who.ctx.visitor, body._csrf);
    try {
      const patch: SettingsPatch = {
        name: body.name ?? '',
        description: body.description ?? '',
        about: body.about ?? '',
        registration: (body.registration ?? '') as SettingsPatch['registration'],
        defaultLicense: body.defaultLicense ?? '',
        contact: body.contact ?? '',
        userQuotaBytes: mibField(
          'userQuotaMiB',
          body.userQuotaMiB,
          'config',
        ) as SettingsPatch['userQuotaBytes'],
        maxUploadBytes: (mibField('maxUploadMiB', body.maxUploadMiB, 'config') ?? 'config') as
          | number
          | 'config',
        ...(body.p2pDefault === 'on' || body.p2pDefault === 'off' ? { p2pDefault: body.p2pDefault } : {}),
      };
      await settingsOf().update(patch);
      return reply.redirect('/admin/settings?saved=1', 303);
    } catch (err) {
      if (!isSeedcastError(err, 'SETTINGS_INVALID')) throw err;
      const detail = err.message.replace(/^settings: invalid field: /, '');
      const field = /^(\w+):/.exec(detail)?.[1] ?? 'form';
      const errors = {
        [field === 'userQuotaBytes' ? 'userQuotaMiB' : field === 'maxUploadBytes' ? 'maxUploadMiB' : field]:
          detail,
      };
      const settings = await settingsOf().all();
      // the context was made before the change: show the form as sent
      return kit.send(reply, SettingsPage({ ctx: who.ctx, settings, values: body, errors }), 400);
    }
  });
}
