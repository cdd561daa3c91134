/**
 * The schemas of comments, favourites and reports (`routes/community.ts`).
 */

import { boolean, dateTime, integer, nullableString, object, string } from './common.js';

const nullableInteger = { type: ['integer', 'null'] } as const;

export const commentSchema = {
  $id: 'Comment',
  ...object(
    {
      id: integer,
      parentId: nullableInteger,
      rootId: { type: 'integer', description: "The thread's top-level comment" },
      depth: { type: 'integer', description: 'Replies above it in its chain' },
      level: { type: 'integer', description: 'The level it is shown at' },
      author: { type: ['string', 'null'], description: 'null once deleted' },
      replyTo: { type: ['string', 'null'], description: 'Author of the comment it answers' },
      body: { type: 'string', description: 'Markdown; empty once deleted' },
      createdAt: dateTime,
      editedAt: { type: ['string', 'null'], format: 'date-time' },
      deleted: { type: 'boolean', description: 'Deleted but kept for its replies' },
    },
    { required: ['id', 'parentId', 'rootId', 'depth', 'level', 'author', 'body', 'createdAt', 'deleted'] },
  ),
} as const;

export const favouritesAnswer = object(
  { count: integer, mine: boolean },
  { required: ['count', 'mine'], description: "The item's favourites, and whether you favour it" },
);

export const reportSchema = object(
  {
    id: integer,
    itemId: integer,
    itemTitle: string,
    reporter: { type: ['string', 'null'], description: 'null: reported without an account' },
    reason: string,
    createdAt: dateTime,
    resolvedAt: nullableString,
  },
  { required: ['id', 'itemId', 'itemTitle', 'reporter', 'reason', 'createdAt'] },
);
