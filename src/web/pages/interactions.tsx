/**
 * What visitors do on an item page, as views: one page of threaded comments (nested up to
 * `THREAD_LEVELS` levels, deeper replies flat "in reply to @x"; reply, edit and delete forms; links
 * to older pages), the favourite button (a form that toggles), and the report-abuse form. Every
 * form is a plain POST with the CSRF field, so all of it works without JavaScript. Comment bodies are
 * Markdown (emphasis, links, lists, quotes, code; no images or headings) rendered safely, raw HTML
 * escaped, line breaks kept by the stylesheet. The data types here are the plain rows the routes give.
 */

import { type Comment, canModerate, THREAD_LEVELS } from '../../catalog/index.js';
import { Fragment, type Html, h } from '../html/jsx.js';
import { renderCommentMarkdown } from '../html/markdown.js';
import { formatDate } from './format.js';
import { CsrfField, type PageContext } from './layout.js';

/** A comment as the page shows it (the catalog's `Comment`, or any port's equivalent). */
export type CommentView = Pick<
  Comment,
  | 'id'
  | 'parentId'
  | 'rootId'
  | 'userId'
  | 'author'
  | 'replyTo'
  | 'body'
  | 'createdAt'
  | 'editedAt'
  | 'deleted'
> & {
  /** The comment this one is shown under (null at the top); see `THREAD_LEVELS`. */
  shownUnder: number | null;
};

/** One page of comments: newest thread first, each thread in reply order. */
export interface CommentPageView {
  comments: readonly CommentView[];
  /** Cursor of the next (older) page, or null. */
  next: string | null;
  total: number;
}

interface Node {
  comment: CommentView;
  /** Levels above it on this page (0 at the top). */
  level: number;
  replies: Node[];
}

/**
 * A page's rows (in page order) to a forest: each under the comment it is shown under when that is
 * on the page and less than `THREAD_LEVELS - 1` levels deep, else at the top. Linear in the rows;
 * the forest is at most `THREAD_LEVELS` deep whatever the data says.
 */
export function pageForest(comments: readonly CommentView[]): Node[] {
  const nodes = new Map<number, Node>();
  const roots: Node[] = [];
  for (const c of comments) {
    const under = c.shownUnder === null ? undefined : nodes.get(c.shownUnder);
    const node: Node = { comment: c, level: 0, replies: [] };
    if (under && under.level < THREAD_LEVELS - 1) {
      node.level = under.level + 1;
      under.replies.push(node);
    } else roots.push(node);
    if (!nodes.has(c.id)) nodes.set(c.id, node);
  }
  return roots;
}

/** A comment's body: Markdown without images or headings, raw HTML escaped (`markdown.ts`). */
function CommentBody(props: { text: string }): Html {
  return <div class="comment-body">{renderCommentMarkdown(props.text)}</div>;
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

/** Reply, edit (author) and delete (author or admin) for one live comment; forms, no script. */
function CommentActions(props: { ctx: PageContext; itemId: number; comment: CommentView }): Html | null {
  const { ctx, itemId, comment } = props;
  const user = ctx.visitor.user;
  if (!user || comment.deleted) return null;
  const own = user.id === comment.userId;
  const base = `/items/${itemId}/comments/${comment.id}`;
  return (
    <div class="comment-actions">
      <details class="reply">
        <summary>Reply</summary>
        <CommentForm
          ctx={ctx}
          itemId={itemId}
          parentId={comment.id}
          textareaId={`reply-${comment.id}`}
          label={`Reply to ${comment.author}`}
        />
      </details>
      {own ? (
        <details class="reply">
          <summary>Edit</summary>
          <form method="post" action={`${base}/edit`} class="comment-form">
            <CsrfField ctx={ctx} />
            <label for={`edit-${comment.id}`}>Edit your comment</label>
            <textarea id={`edit-${comment.id}`} name="body" required maxlength="5000" rows="3">
              {comment.body}
            </textarea>
            <button type="submit">Save</button>
          </form>
        </details>
      ) : null}
      {own || canModerate(user) ? (
        <details class="reply">
          <summary>Delete</summary>
          <form method="post" action={`${base}/delete`} class="comment-form">
            <CsrfField ctx={ctx} />
            {own ? null : (
              <>
                <label for={`delete-reason-${comment.id}`}>Reason (kept in the audit log)</label>
                <input type="text" id={`delete-reason-${comment.id}`} name="reason" maxlength="2000" />
              </>
            )}
            <button type="submit" class="danger" id={`delete-${comment.id}`}>
              Delete this comment
            </button>
          </form>
        </details>
      ) : null}
    </div>
  );
}

function CommentItem(props: { ctx: PageContext; itemId: number; node: Node; top: boolean }): Html {
  const { comment, replies } = props.node;
  // "In reply to" when the comment is not shown under its parent: flat past the last level, or
  // the first of its thread on this page.
  const replyNote =
    comment.parentId !== null && (props.top || comment.parentId !== comment.shownUnder) ? (
      <>
        {' · in reply to '}
        <a
          href={
            props.top
              ? `/items/${props.itemId}?thread=${comment.rootId}#comment-${comment.parentId}`
              : `#comment-${comment.parentId}`
          }
        >
          {comment.replyTo ? `@${comment.replyTo}` : 'a comment'}
        </a>
      </>
    ) : null;
  return (
    <li class={comment.deleted ? 'comment deleted' : 'comment'} id={`comment-${comment.id}`}>
      <article aria-label={comment.deleted ? 'Deleted comment' : `Comment by ${comment.author}`}>
        <p class="comment-meta">
          {comment.deleted ? (
            '[deleted]'
          ) : (
            <a href={`/users/${encodeURIComponent(comment.author)}`}>{comment.author}</a>
          )}{' '}
          ·{' '}
          <a href={`#comment-${comment.id}`}>
            <time datetime={new Date(comment.createdAt).toISOString()}>{formatDate(comment.createdAt)}</time>
          </a>
          {comment.editedAt !== null && !comment.deleted ? (
            <span class="edited" title={new Date(comment.editedAt).toISOString()}>
              {' · edited'}
            </span>
          ) : null}
          {replyNote}
        </p>
        {comment.deleted ? <p class="comment-body muted">[deleted]</p> : <CommentBody text={comment.body} />}
        <CommentActions ctx={props.ctx} itemId={props.itemId} comment={comment} />
      </article>
      {replies.length === 0 ? null : (
        <ol class="comment-replies">
          {replies.map((r) => (
            <CommentItem ctx={props.ctx} itemId={props.itemId} node={r} top={false} />
          ))}
        </ol>
      )}
    </li>
  );
}

/**
 * The comments section's content: one page of threads, links to older and to the newest comments
 * (plain links: `?after=<cursor>#comments`), then the form (or a link to log in).
 */
export function CommentThread(props: {
  ctx: PageContext;
  itemId: number;
  page: CommentPageView;
  /** Where this page starts (a cursor, or a thread); undefined on the first page. */
  after?: string;
}): Html {
  const { page, itemId } = props;
  const roots = pageForest(page.comments);
  return (
    <div class="comment-thread">
      {page.total > 0 ? (
        <p class="muted" id="comment-count">
          {page.total === 1 ? '1 comment' : `${page.total} comments`}, newest threads first
        </p>
      ) : null}
      {roots.length === 0 ? (
        <p class="muted">No comments yet.</p>
      ) : (
        <ol class="comments">
          {roots.map((node) => (
            <CommentItem ctx={props.ctx} itemId={itemId} node={node} top={true} />
          ))}
        </ol>
      )}
      {page.next !== null || props.after !== undefined ? (
        <nav class="pager" aria-label="Comment pages">
          {props.after !== undefined ? (
            <a href={`/items/${itemId}#comments`} id="newest-comments">
              Newest comments
            </a>
          ) : null}
          {page.next !== null && props.after !== undefined ? ' · ' : null}
          {page.next !== null ? (
            <a
              href={`/items/${itemId}?after=${encodeURIComponent(page.next)}#comments`}
              rel="next"
              id="older-comments"
            >
              Older comments
            </a>
          ) : null}
        </nav>
      ) : null}
      {props.ctx.visitor.user ? (
        <CommentForm
          ctx={props.ctx}
          itemId={itemId}
          id="comment-form"
          textareaId="comment-body"
          label="Add a comment"
        />
      ) : (
        <p>
          <a href={`/login?next=${encodeURIComponent(`/items/${itemId}#comments`)}`}>Log in</a> to comment.
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
      {ctx.visitor.user ? (
        <button
          type="submit"
          id="favourite-button"
          class={favourited ? 'secondary' : undefined}
          aria-pressed={favourited ? 'true' : 'false'}
        >
          {favourited ? '★ Unfavourite' : '☆ Favourite'}
        </button>
      ) : (
        // Visitors cannot favourite: a link to log in, not a button that looks active and does nothing.
        <a
          href={`/login?next=${encodeURIComponent(`/items/${itemId}`)}`}
          class="button secondary"
          id="favourite-login"
        >
          ☆ Log in to favourite
        </a>
      )}{' '}
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
        <select id="report-reason" name="reason" required>
          {/* No reason is chosen for the reporter: the empty placeholder makes the browser ask. */}
          <option value="" selected disabled>
            Choose a reason
          </option>
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
