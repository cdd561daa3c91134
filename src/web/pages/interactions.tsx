/**
 * What visitors do on an item page, as views: threaded comments (the list, nested by `parentId`, a
 * reply form under each comment and a form for a new one), the favourite button (a form that
 * toggles), and the report-abuse form. Every form is a plain POST with the CSRF field, so all of it
 * works without JavaScript. Comment bodies are plain text: escaped, paragraphs on blank lines, line
 * breaks kept by the stylesheet. The data types here are the plain rows the routes give.
 */

import { type Html, h } from '../html/jsx.js';
import { formatDate } from './format.js';
import { CsrfField, type PageContext } from './layout.js';

export interface CommentView {
  id: number;
  parentId: number | null;
  author: string;
  body: string;
  createdAt: number;
}

/** How deep replies nest on screen; deeper replies are shown at this depth. */
export const MAX_DEPTH = 5;

interface Node {
  comment: CommentView;
  replies: Node[];
}

/** Flat rows to a forest, oldest first at each level; a reply whose parent is missing is a root. */
export function threadComments(comments: readonly CommentView[]): Node[] {
  const nodes = new Map<number, Node>();
  for (const c of [...comments].sort((a, b) => a.createdAt - b.createdAt || a.id - b.id))
    nodes.set(c.id, { comment: c, replies: [] });
  const roots: Node[] = [];
  for (const node of nodes.values()) {
    const parent = node.comment.parentId === null ? undefined : nodes.get(node.comment.parentId);
    if (parent && parent !== node) parent.replies.push(node);
    else roots.push(node);
  }
  return roots;
}

function Paragraphs(props: { text: string }): Html {
  const parts = props.text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  return (
    <div class="comment-body">
      {parts.map((p) => (
        <p>{p}</p>
      ))}
    </div>
  );
}

function CommentForm(props: {
  ctx: PageContext;
  itemId: number;
  parentId?: number;
  id?: string;
  textareaId: string;
  label: string;
}): Html {
  return (
    <form method="post" action={`/items/${props.itemId}/comments`} class="comment-form" id={props.id}>
      <CsrfField ctx={props.ctx} />
      {props.parentId !== undefined ? (
        <input type="hidden" name="parent" value={String(props.parentId)} />
      ) : null}
      <label for={props.textareaId}>{props.label}</label>
      <textarea id={props.textareaId} name="body" required maxlength="5000" rows="3"></textarea>
      <button type="submit">Post</button>
    </form>
  );
}

function CommentItem(props: { ctx: PageContext; itemId: number; node: Node; depth: number }): Html {
  const { comment, replies } = props.node;
  const loggedIn = props.ctx.visitor.user !== undefined;
  const children =
    replies.length === 0 ? null : props.depth >= MAX_DEPTH ? (
      replies.map((r) => <CommentItem ctx={props.ctx} itemId={props.itemId} node={r} depth={props.depth} />)
    ) : (
      <ol class="comment-replies">
        {replies.map((r) => (
          <CommentItem ctx={props.ctx} itemId={props.itemId} node={r} depth={props.depth + 1} />
        ))}
      </ol>
    );
  return (
    <li class="comment" id={`comment-${comment.id}`}>
      <article aria-label={`Comment by ${comment.author}`}>
        <p class="comment-meta">
          <a href={`/users/${encodeURIComponent(comment.author)}`}>{comment.author}</a> ·{' '}
          <a href={`#comment-${comment.id}`}>
            <time datetime={new Date(comment.createdAt).toISOString()}>{formatDate(comment.createdAt)}</time>
          </a>
        </p>
        <Paragraphs text={comment.body} />
        {loggedIn ? (
          <details class="reply">
            <summary>Reply</summary>
            <CommentForm
              ctx={props.ctx}
              itemId={props.itemId}
              parentId={comment.id}
              textareaId={`reply-${comment.id}`}
              label={`Reply to ${comment.author}`}
            />
          </details>
        ) : null}
      </article>
      {children}
    </li>
  );
}

/** The comments section's content: the thread, then the form (or a link to log in). */
export function CommentThread(props: {
  ctx: PageContext;
  itemId: number;
  comments: readonly CommentView[];
}): Html {
  const roots = threadComments(props.comments);
  return (
    <div class="comment-thread">
      {roots.length === 0 ? (
        <p class="muted">No comments yet.</p>
      ) : (
        <ol class="comments">
          {roots.map((node) => (
            <CommentItem ctx={props.ctx} itemId={props.itemId} node={node} depth={1} />
          ))}
        </ol>
      )}
      {props.ctx.visitor.user ? (
        <CommentForm
          ctx={props.ctx}
          itemId={props.itemId}
          id="comment-form"
          textareaId="comment-body"
          label="Add a comment"
        />
      ) : (
        <p>
          <a href={`/login?next=${encodeURIComponent(`/items/${props.itemId}#comments`)}`}>Log in</a> to
          comment.
        </p>
      )}
    </div>
  );
}

/** The favourite toggle: a one-button form; the count is always shown. */
export function FavouriteButton(props: {
  ctx: PageContext;
  itemId: number;
  favourited: boolean;
  count: number;
}): Html {
  const { ctx, itemId, favourited, count } = props;
  return (
    <form method="post" action={`/items/${itemId}/favourite`} class="favourite" id="favourite-form">
      <CsrfField ctx={ctx} />
      <input type="hidden" name="favourite" value={favourited ? '0' : '1'} />
      <button
        type="submit"
        id="favourite-button"
        class={favourited ? 'secondary' : undefined}
        aria-pressed={favourited ? 'true' : 'false'}
        disabled={!ctx.visitor.user}
        title={ctx.visitor.user ? undefined : 'Log in to favourite'}
      >
        {favourited ? '★ Unfavourite' : '☆ Favourite'}
      </button>{' '}
      <span id="favourite-count">{count}</span>{' '}
      <span class="muted">{count === 1 ? 'favourite' : 'favourites'}</span>
    </form>
  );
}

export const REPORT_REASONS: readonly { value: string; label: string }[] = [
  { value: 'copyright', label: 'Copyright infringement' },
  { value: 'illegal', label: 'Illegal content' },
  { value: 'abuse', label: 'Harassment or abuse' },
  { value: 'spam', label: 'Spam or misleading' },
  { value: 'other', label: 'Something else' },
];

/** Report abuse: a reason and details, behind a disclosure so it stays out of the way. */
export function ReportForm(props: { ctx: PageContext; itemId: number; sent?: boolean }): Html {
  const { ctx, itemId } = props;
  if (props.sent) {
    return (
      <p class="notice ok" role="status" id="report-sent">
        Thank you: the report was sent to the site's moderators.
      </p>
    );
  }
  return (
    <details class="report" id="report">
      <summary>Report this item</summary>
      <form method="post" action={`/items/${itemId}/report`} id="report-form">
        <CsrfField ctx={ctx} />
        <label for="report-reason">Reason</label>
        <select id="report-reason" name="reason">
          {REPORT_REASONS.map((r) => (
            <option value={r.value}>{r.label}</option>
          ))}
        </select>
        <label for="report-details">Details</label>
        <textarea id="report-details" name="details" rows="3" maxlength="2000"></textarea>
        <button type="submit" class="danger">
          Send report
        </button>
      </form>
    </details>
  );
}
