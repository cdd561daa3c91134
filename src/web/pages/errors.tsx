/** Friendly pages for unknown addresses (404), refused requests (4xx) and failures (5xx). */

import { type Html, h } from '../html/jsx.js';
import { Layout, type PageContext } from './layout.js';

export function NotFoundPage(props: { ctx: PageContext; what?: string }): Html {
  return (
    <Layout ctx={props.ctx} title="Not found">
      <h1 id="error-title">Page not found</h1>
      <p>
        {props.what ??
          'There is nothing at this address. It may have been moved, taken down, or never existed.'}
      </p>
      <p>
        Try a <a href="/search">search</a> or go back to the <a href="/">home page</a>.
      </p>
    </Layout>
  );
}

const TITLES: Record<number, string> = {
  400: 'That request was not understood',
  401: 'Please log in',
  403: 'Not allowed',
  409: 'Conflict',
  413: 'Too large',
  429: 'Too many requests',
};

export function ErrorPage(props: { ctx: PageContext; status: number; message: string }): Html {
  const title = props.status >= 500 ? 'Something went wrong' : (TITLES[props.status] ?? 'That did not work');
  return (
    <Layout ctx={props.ctx} title={title}>
      <h1 id="error-title">{title}</h1>
      <p id="error-message">
        {props.status >= 500
          ? 'The site could not answer this request. Please try again in a moment.'
          : props.message}
      </p>
      <p>
        Go back to the <a href="/">home page</a>.
      </p>
    </Layout>
  );
}
