import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { User } from '../../catalog/index.js';
import { AdminPage } from './admin.js';
import { CommentThread, type CommentView, FavouriteButton, pageForest, ReportForm } from './interactions.js';
import type { PageContext } from './layout.js';

const user = { id: 1, username: 'ada', role: 'user' } as User;
const ctx = (logged: boolean): PageContext => ({
  visitor: logged ? { user, session: 's', csrf: 'TOKEN' } : { csrf: 'TOKEN' },
  assets: { url: (name) => `/static/${name}` },
});

const EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3))';
const at = (n: number) => Date.UTC(2026, 0, 1) + n * 1000;
/** A page's rows in page order, as the catalog gives them (thread by thread). */
const row = (
  id: number,
  parentId: number | null,
  shownUnder: number | null,
  author: string,
  body: string,
  extra: Partial<CommentView> = {},
): CommentView => ({
  id,
  parentId,
  rootId: 0,
  shownUnder,
  userId: author === 'ada' ? 1 : 2,
  author,
  replyTo: null,
  body,
  createdAt: at(id),
  editedAt: null,
  deleted: false,
  ...extra,
});
const comments: CommentView[] = [
  row(2, null, null, 'mallory', EVIL),
  row(1, null, null, 'ada', 'first\n\nsecond paragraph'),
  row(3, 1, 1, 'grace', 'a reply', { replyTo: 'ada', editedAt: at(9) }),
  row(4, 3, 3, 'ada', 'a reply to the reply', { replyTo: 'grace' }),
];
const page = (rows: CommentView[], next: string | null = null) => ({
  comments: rows,
  next,
  total: rows.length,
});

test('a page of comments nests by the comment each is shown under; at most 5 levels whatever the rows say', () => {
  const roots = pageForest(comments);
  assert.deepEqual(
    roots.map((r) => r.comment.id),
    [2, 1],
  );
  assert.deepEqual(
    roots[1]!.replies.map((r) => r.comment.id),
    [3],
  );
  assert.deepEqual(
    roots[1]!.replies[0]!.replies.map((r) => r.comment.id),
    [4],
  );
  // A 6,000-long chain where each row claims to sit under the previous one: 5 levels, then flat.
  const chain = Array.from({ length: 6000 }, (_, i) => row(i + 1, i || null, i || null, 'ada', `c${i}`));
  const forest = pageForest(chain);
  let depth = 0;
  for (let n = forest[0]; n; n = n.replies[0]) depth++;
  assert.equal(depth, 5);
  assert.equal(forest.length, 6000 / 5);
  assert.match(String(CommentThread({ ctx: ctx(false), itemId: 7, page: page(chain) })), /id="comment-6000"/);
});

test('the comment thread nests replies, escapes bodies and gives reply forms with CSRF to accounts', () => {
  const html = String(CommentThread({ ctx: ctx(true), itemId: 7, page: page(comments) }));
  assert.match(
    html,
    /<li class="comment" id="comment-1">.*<ol class="comment-replies"><li class="comment" id="comment-3">.*<ol class="comment-replies"><li class="comment" id="comment-4">/s,
  );
  assert.match(html, /<p>first<\/p>\s*<p>second paragraph<\/p>/, 'Markdown paragraphs');
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;&lt;img src=x onerror=alert\(2\)&gt;/);
  assert.doesNotMatch(html, /<script|<img|href="javascript/i);
  assert.match(
    html,
    /<form method="post" action="\/items\/7\/comments" class="comment-form" id="comment-form"><input type="hidden" name="_csrf" value="TOKEN">/,
  );
  assert.match(html, /<input type="hidden" name="parent" value="3">/);
  assert.match(html, /<textarea id="comment-body" name="body" required/);
  assert.match(html, /id="comment-3">.*· edited/s, 'edits are marked');
  // ada (id 1) may edit and delete her own comments only.
  assert.match(html, /action="\/items\/7\/comments\/1\/edit"/);
  assert.match(html, /action="\/items\/7\/comments\/4\/delete"/);
  assert.doesNotMatch(html, /comments\/2\/(edit|delete)|comments\/3\/(edit|delete)/);
});

test('deleted comments keep their thread as [deleted]; pages link to older comments without script', () => {
  const rows = [row(1, null, null, 'ada', '', { deleted: true }), row(3, 1, 1, 'grace', 'still here')];
  const html = String(CommentThread({ ctx: ctx(true), itemId: 7, page: page(rows, '1.3') }));
  assert.match(html, /<li class="comment deleted" id="comment-1">.*\[deleted\].*id="comment-3"/s);
  assert.doesNotMatch(html, /comments\/1\/(edit|delete)|name="parent" value="1"/);
  assert.match(html, /<a href="\/items\/7\?after=1\.3#comments" rel="next" id="older-comments">/);
  assert.doesNotMatch(html, /newest-comments/);
  // The next page starts inside a thread: its first comment says what it answers.
  const next = [row(5, 3, 1, 'ada', 'later', { replyTo: 'grace', rootId: 1 })];
  const second = String(CommentThread({ ctx: ctx(false), itemId: 7, page: page(next), after: '1.3' }));
  assert.match(second, /in reply to <a href="\/items\/7\?thread=1#comment-3">@grace<\/a>/);
  assert.match(second, /id="newest-comments"/);
  assert.doesNotMatch(second, /older-comments/);
});

test('visitors without an account see the comments and a link to log in, no forms', () => {
  const html = String(CommentThread({ ctx: ctx(false), itemId: 7, page: page(comments) }));
  assert.doesNotMatch(html, /<form/);
  assert.match(html, /href="\/login\?next=%2Fitems%2F7%23comments"/);
  assert.match(String(CommentThread({ ctx: ctx(false), itemId: 7, page: page([]) })), /No comments yet/);
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
    /<a href="\/login\?next=%2Fitems%2F7"[^>]*>☆ Log in to favourite<\/a>/,
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

test('the admin page disables and enables accounts and shows the audit log', () => {
  const html = String(
    AdminPage({
      ctx: { ...ctx(true), visitor: { user: { ...user, role: 'admin' }, session: 's', csrf: 'TOKEN' } },
      takenDown: [],
      moderation: {
        disabled: [{ username: 'mallory', disabledAt: at(3) }],
        audit: [
          {
            id: 1,
            actor: 'root',
            action: 'user.disable',
            targetType: 'user',
            targetId: 5,
            target: 'mallory',
            reason: EVIL,
            createdAt: at(3),
          },
        ],
      },
    }),
  );
  assert.match(html, /action="\/admin\/users\/disable"/);
  assert.match(html, /action="\/admin\/users\/mallory\/enable"/);
  assert.match(html, /<code>user.disable<\/code>/);
  assert.doesNotMatch(html.replace(/<script type="module" src="[^"]+"><\/script>/, ''), /<script|<img/i);
});
