/**
 * `/settings` (the form, `POST /settings` then 303 back) and `GET|PATCH /api/settings` (the state's
 * `Settings`). A change is validated (clear messages), saved in state.json and applied at once
 * (`updateSettings`: the engine's upload limit, the disk budget, the seeding gate, the queue).
 */

import type { FastifyInstance } from 'fastify';
import { type Settings, updateSettings, validateSettings } from '../../aggregator/index.js';
import { isSeedcastError } from '../../errors.js';
import type { AppContext } from '../context.js';
import { formFromSettings, KIB, MB, type SettingsForm, SettingsPage } from '../pages/settings.js';
import { sendAppPage } from '../server.js';

const settingsSchema = {
  type: 'object',
  properties: {
    concurrency: { type: 'number' },
    seedRatio: { type: 'number' },
    seedHours: { type: 'number' },
    minFreeBytes: { type: 'number' },
    swarmTimeout: { type: 'number' },
    diskBudgetBytes: { type: 'number' },
    uploadRateLimit: { type: 'number' },
    seedWhen: { type: 'string' },
  },
} as const;

/** The form's strings as a settings change, with a message per wrong field. */
export function changeFromForm(form: SettingsForm): {
  change: Partial<Settings>;
  errors: Partial<SettingsForm>;
} {
  const errors: Partial<SettingsForm> = {};
  const change: Record<string, unknown> = {};
  const fields: [keyof SettingsForm, keyof Settings, (n: number) => number][] = [
    ['diskBudget', 'diskBudgetBytes', (n) => Math.round(n * MB)],
    ['uploadRate', 'uploadRateLimit', (n) => Math.round(n * KIB)],
    ['seedRatio', 'seedRatio', (n) => n],
    ['seedDays', 'seedHours', (n) => n * 24],
    ['concurrency', 'concurrency', (n) => n],
    ['swarmTimeout', 'swarmTimeout', (n) => n],
  ];
  for (const [field, key, convert] of fields) {
    const text = (form[field] ?? '').trim();
    const n = Number(text);
    if (text === '' || !Number.isFinite(n)) {
      errors[field] = 'Enter a number.';
      continue;
    }
    if (n < 0) {
      errors[field] = 'Must be 0 or more.';
      continue;
    }
    try {
      Object.assign(change, validateSettings({ [key]: convert(n) }));
    } catch (err) {
      if (!isSeedcastError(err)) throw err;
      errors[field] =
        key === 'seedHours' ? 'Must be 3650 days or fewer.' : err.message.replace(/^.*? must/, 'Must');
    }
  }
  try {
    Object.assign(change, validateSettings({ seedWhen: form.seedWhen }));
  } catch {
    errors.seedWhen = 'Choose when to seed.';
  }
  return { change: change as Partial<Settings>, errors };
}

export function settingsRoutes(app: FastifyInstance, ctx: AppContext): void {
  app.get(
    '/settings',
    { schema: { querystring: { type: 'object', properties: { saved: { type: 'string' } } } } },
    async (request, reply) => {
      const saved = (request.query as { saved?: string }).saved === '1';
      return sendAppPage(
        reply,
        SettingsPage({ ctx, form: formFromSettings(ctx.aggregator.state.settings), saved }),
      );
    },
  );

  app.post(
    '/settings',
    {
      schema: {
        body: {
          type: 'object',
          properties: Object.fromEntries(
            [
              'diskBudget',
              'uploadRate',
              'seedRatio',
              'seedDays',
              'seedWhen',
              'concurrency',
              'swarmTimeout',
              '_csrf',
            ].map((k) => [k, { type: 'string', maxLength: 100 }]),
          ),
        },
      },
    },
    async (request, reply) => {
      const form = {
        ...formFromSettings(ctx.aggregator.state.settings),
        ...(request.body as Partial<SettingsForm>),
      };
      const { change, errors } = changeFromForm(form);
      if (Object.keys(errors).length > 0) return sendAppPage(reply, SettingsPage({ ctx, form, errors }), 400);
      await updateSettings(ctx.aggregator, change);
      return reply.redirect('/settings?saved=1', 303);
    },
  );

  app.get(
    '/api/settings',
    { schema: { response: { 200: { type: 'object', properties: { settings: settingsSchema } } } } },
    async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { settings: ctx.aggregator.state.settings };
    },
  );

  app.patch(
    '/api/settings',
    {
      schema: {
        body: { type: 'object' },
        response: { 200: { type: 'object', properties: { settings: settingsSchema } } },
      },
    },
    async (request) => ({
      settings: await updateSettings(ctx.aggregator, request.body as Record<string, unknown>),
    }),
  );
}
