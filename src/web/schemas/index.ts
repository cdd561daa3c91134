/**
 * The shared schemas of the API, registered once on the root instance (`app.addSchema`) so every
 * route can `$ref` them (`ref('Item')`) and the OpenAPI document lists them as components.
 */

import type { FastifyInstance } from 'fastify';
import { captionSchema, chaptersSchema } from './captions.js';
import { errorSchema } from './common.js';
import { commentSchema } from './community.js';
import { itemFileSchema, itemSchema } from './item.js';

export const SHARED_SCHEMAS = [
  errorSchema,
  itemFileSchema,
  itemSchema,
  captionSchema,
  chaptersSchema,
  commentSchema,
] as const;

/** Adds the shared schemas `app` does not see yet (a route plugin registered alone, in a test, calls it too). */
export function registerSchemas(app: FastifyInstance): void {
  for (const schema of SHARED_SCHEMAS) if (!app.getSchema(schema.$id)) app.addSchema(schema);
}

export * from './common.js';
