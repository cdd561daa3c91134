/**
 * Descriptions and comments as page HTML: the Markdown renderer (`src/markdown.ts`: CommonMark with
 * raw HTML off, safe links only) wrapped as `Html`. This is the one place pages use `raw()` on text
 * that came from a user.
 */

import { commentMarkdownHtml, markdownHtml } from '../../markdown.js';
import { type Html, raw } from './jsx.js';

/** Markdown to safe HTML (raw HTML in the source stays text). */
export function renderMarkdown(source: string): Html {
  return raw(markdownHtml(source));
}

/** A comment's Markdown to safe HTML: no images, headings or tables (they stay text). */
export function renderCommentMarkdown(source: string): Html {
  return raw(commentMarkdownHtml(source));
}
