/**
 * The JSON Schemas of the item's declared fields (`src/catalog/item-fields.ts`), in the three shapes
 * the API uses: as read (`Item`), as sent to `PATCH /api/v1/items/:id` (nullable fields may be
 * cleared with null or ""), and as multipart text fields of `POST /api/v1/items`. `@fastify/swagger`
 * turns them into the OpenAPI document with the rest of the routes' schemas.
 */

import { ITEM_FIELDS, type ItemFieldSpec, nullable } from '../../catalog/index.js';

type Schema = Record<string, unknown>;

function each(schema: (f: ItemFieldSpec) => Schema): Record<string, Schema> {
  return Object.fromEntries(ITEM_FIELDS.map((f: ItemFieldSpec) => [f.name, schema(f)]));
}

/** The declared fields as `Item` gives them. */
export function itemFieldReadSchemas(): Record<string, Schema> {
  return each((f) => ({
    type: f.type === 'integer' ? ['integer', 'null'] : nullable(f) ? ['string', 'null'] : 'string',
    description: f.api,
  }));
}

/** The declared fields as a PATCH body sends them. */
export function itemFieldPatchSchemas(): Record<string, Schema> {
  return each((f) => {
    const clears = nullable(f) ? '; null or "" clears it' : f.required ? '; not empty' : '';
    const description = `${f.api}${clears}`;
    if (f.type === 'integer')
      return { type: ['integer', 'null'], minimum: f.min, maximum: f.max, description };
    return {
      type: nullable(f) ? ['string', 'null'] : 'string',
      maxLength: f.inputMax ?? f.max,
      description,
    };
  });
}

/** The declared fields as multipart text (`POST /api/v1/items`). */
export function itemFieldFormSchemas(): Record<string, Schema> {
  return each((f) =>
    f.type === 'integer'
      ? { type: 'string', maxLength: 16, pattern: '^\\s*\\d*\\s*$', description: f.api }
      : { type: 'string', maxLength: f.inputMax ?? f.max, description: f.api },
  );
}
