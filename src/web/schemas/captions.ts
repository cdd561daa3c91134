/**
 * The schemas of captions and chapters (issue 18): a caption track (`Caption`), JSON chapters
 * (`Chapters`, Podcasting 2.0 1.2.0) and the caption upload form.
 */

import { integer, object, string } from './common.js';

export const captionSchema = {
  $id: 'Caption',
  ...object(
    {
      language: { type: 'string', description: 'BCP 47 tag, canonical case (en, pt-BR)' },
      label: string,
      kind: { type: 'string', enum: ['captions', 'subtitles'] },
      url: { type: 'string', description: 'The WebVTT file: /items/{id}/captions/{language}.vtt' },
      cues: integer,
      bytes: integer,
    },
    { required: ['language', 'label', 'kind', 'url', 'cues', 'bytes'] },
  ),
} as const;

export const chaptersSchema = {
  $id: 'Chapters',
  type: 'object',
  description: 'Podcast namespace JSON chapters 1.2.0 (sorted by startTime; at most 500)',
  required: ['version', 'chapters'],
  properties: {
    version: { type: 'string', enum: ['1.2.0'] },
    title: string,
    chapters: {
      type: 'array',
      maxItems: 500,
      items: {
        type: 'object',
        required: ['startTime', 'title'],
        properties: {
          startTime: { type: 'number', minimum: 0, description: 'Seconds' },
          endTime: { type: 'number' },
          title: { type: 'string', maxLength: 300 },
          img: { type: 'string', format: 'uri' },
          url: { type: 'string', format: 'uri' },
          toc: { type: 'boolean' },
        },
      },
    },
  },
} as const;

export const captionForm = {
  type: 'object',
  required: ['file', 'language'],
  properties: {
    file: {
      type: 'string',
      format: 'binary',
      description: 'WebVTT or SRT, UTF-8 (a byte order mark is fine), at most 2 MiB, 20,000 cues',
    },
    language: { type: 'string', description: 'BCP 47 tag (en, fr, pt-BR)' },
    label: { type: 'string', maxLength: 100, description: "Default: the language's name" },
    kind: { type: 'string', enum: ['captions', 'subtitles'], default: 'captions' },
  },
} as const;
