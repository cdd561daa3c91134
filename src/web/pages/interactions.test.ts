import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { User } from '../../catalog/index.js';
import { AdminPage } from './admin.js';
import {
  CommentThread,
  type CommentView,
  FavouriteButton,
  ReportForm,
  threadComments,
} from './interactions.js';
import type { PageContext } from './layout.js';

const user = { id: 1, username: 'ada', role: 'user' } as User;
const ctx = (logged: boolean): PageContext => ({
  visitor: logged ? { user, session: 's', csrf: 'TOKEN' } : { csrf: 'TOKEN' },
  assets: { url: (name) => `/static/${name}` },
});

const EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))';
const at = (n: number) => Date.UTC(2026, 0, 1) + n * 1000;
const comments: CommentView[] = [
  { id: 3, parentId: 1, author: 'grace', body: 'a reply', createdAt: at(3) },
  { id: 1, parentId: null, author: 'ada', body: 'first\n\nsecond paragraph', createdAt: at(1) },
  { id: 2, parentId: null, author: 'mallory', body: EVIL, createdAt: at(2) },
  { id: 4, parentId: 3, author: 'ada', body: 'a reply to the reply', createdAt: at(4) },
  { id: 5, parentId: 99, author: 'orphan', body: 'parent gone', createdAt: at(5) },
];

test('comments thread by parent, oldest first; a reply whose parent is gone is a root', () => {
  const roots = threadComments(comments);
  assert.deepEqual(
    roots.map((r) => r.comment.id),
    [1, 2, 5],
  );
  assert.deepEqual(
    roots[0]!.replies.map((r) => r.comment.id),
    [3],
  );
  assert.deepEqual(
    roots[0]!.replies[0]!.replies.map((r) => r.comment.id),
    [4],
  );
});

test('the comment thread nests replies, escapes bodies and gives reply forms with CSRF to accounts', () => {
  const html = String(CommentThread({ ctx: ctx(true), itemId: 7, comments }));
  assert.match(
    html,
    /<li class="comment" id="comment-1">.*<ol class="comment-replies"><li class="comment" id="comment-3">.*<ol class="comment-replies"><li class="comment" id="comment-4">/s,
  );
  assert.match(html, /<p>first<\/p><p>second paragraph<\/p>/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;/);
  assert.doesNotMatch(html, /<script|<img|href="javascript/i);
  assert.match(
    html,
    /<form method="post" action="\/items\/7\/comments" class="comment-form" id="comment-form"><input type="hidden" name="_csrf" value="TOKEN">/,
  );
  assert.match(html, /<input type="hidden" name="parent" value="3">/);
  assert.match(html, /<textarea id="comment-body" name="body" required/);
});

test('visitors without an account see the comments and a link to log in, no forms', () => {
  const html = String(CommentThread({ ctx: ctx(false), itemId: 7, comments }));
  assert.doesNotMatch(html, /<form/);
  assert.match(html, /href="\/login\?next=%2Fitems%2F7%23comments"/);
  assert.match(String(CommentThread({ ctx: ctx(false), itemId: 7, comments: [] })), /No comments yet/);
});

test('the favourite button toggles and shows the count; the report form sends a reason', () => {
  const off = String(FavouriteButton({ ctx: ctx(true), itemId: 7, favourited: false, count: 0 }));
  assert.match(off, /action="\/items\/7\/favourite"/);
  assert.match(off, /name="favourite" value="1"/);
  assert.match(off, /aria-pressed="false"/);
  assert.match(off, /<span id="favourite-count">0<\/span>/);
  const on = String(FavouriteButton({ ctx: ctx(true), itemId: 7, favourited: true, count: 1 }));
  assert.match(on, /name="favourite" value="0"/);
  assert.match(on, /Unfavourite/);
  assert.match(
    String(FavouriteButton({ ctx: ctx(false), itemId: 7, favourited: false, count: 2 })),
    / disabled/,
  );
  const report = String(ReportForm({ ctx: ctx(false), itemId: 7 }));
  assert.match(report, /action="\/items\/7\/report"/);
  assert.match(report, /<option value="copyright">/);
  assert.match(report, /name="_csrf" value="TOKEN"/);
});

test('the admin page lists open reports with resolve and takedown, and restores taken-down items', () => {
  const html = String(
    AdminPage({
      ctx: ctx(true),
      reports: [{ id: 4, itemId: 7, itemTitle: EVIL, reporter: null, reason: EVIL, createdAt: at(1) }],
      takenDown: [{ id: 8, title: 'Gone', reason: 'copyright', takenDownAt: at(2) }],
    }),
  );
  assert.match(html, /action="\/admin\/reports\/4\/resolve"/);
  assert.match(html, /action="\/admin\/items\/7\/takedown\?report=4"/);
  assert.match(html, /action="\/admin\/items\/8\/restore"/);
  assert.doesNotMatch(html.replace(/<script type="module" src="[^"]+"><\/script>/, ''), /<script|<img/i);
});
