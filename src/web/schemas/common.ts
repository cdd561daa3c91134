/**
 * Shared pieces of the routes' Fastify schemas, from which the OpenAPI document is generated
 * (`../openapi.ts`): the error answer, security requirements, path parameters, and small helpers.
 * Shapes used by several routes (`Error`, `Item`...) are registered once with `app.addSchema`
 * (`registerSchemas` in `index.ts`) and referred to with `ref('Item')`; the document lists them
 * under `components.schemas`.
 */

/** A `$ref` to a shared schema registered by `registerSchemas` (`Item` -> `Item#`). */
export function ref(id: string, description?: string): { $ref: string; description?: string } {
  return description ? { $ref: `${id}#`, description } : { $ref: `${id}#` };
}

/** The answer to every failure: `{ "error": { "code", "message" } }` (`src/web/errors.ts`). */
export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'An error: a registry code (src/errors.ts) and a message; a 400 names the field.',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/** Failures any route may answer (documented on each operation as `4XX`). */
export const errors = { '4xx': ref('Error', 'An error with a registry code') } as const;

/** An answer with no body (`204 No Content`). */
export function empty(description: string) {
  return { type: 'null', description } as const;
}

/** A JSON object of the given properties; `required` lists the ones always present. */
export function object(
  properties: Record<string, unknown>,
  options: { required?: readonly string[]; description?: string; open?: boolean } = {},
) {
  return {
    type: 'object',
    ...(options.description ? { description: options.description } : {}),
    ...(options.required ? { required: [...options.required] } : {}),
    properties,
    ...(options.open ? { additionalProperties: true } : {}),
  } as const;
}

/** An API token (`Authorization: Bearer ...`) or the pages' session cookie (with `X-CSRF-Token`). */
export const signedIn: Array<Record<string, string[]>> = [{ bearer: [] }, { session: [] }];

export const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'integer', minimum: 1, description: "The item's id" } },
} as const;

export const nameParams = {
  type: 'object',
  required: ['name'],
  properties: { name: { type: 'string', description: 'A username' } },
} as const;

export const integer = { type: 'integer' } as const;
export const string = { type: 'string' } as const;
export const boolean = { type: 'boolean' } as const;
export const nullableString = { type: ['string', 'null'] } as const;
export const dateTime = { type: 'string', format: 'date-time' } as const;
export const strings = { type: 'array', items: { type: 'string' } } as const;

declare module 'fastify' {
  interface FastifySchema {
    /**
     * A `multipart/form-data` body, for the document only: Fastify does not validate multipart
     * bodies (the route reads the parts itself); `../openapi.ts` turns it into the requestBody.
     */
    multipartBody?: unknown;
    /** Other bodies the route reads itself (e.g. tus bytes), for the document only: media type -> schema. */
    bodyContent?: Record<string, unknown>;
  }
}
