/**
 * Our JSX runtime: TSX compiles to `h(tag, props, ...children)` calls (tsconfig `"jsx": "react"`,
 * `"jsxFactory": "h"`, `"jsxFragmentFactory": "Fragment"`; each `.tsx` file imports `h` and
 * `Fragment` from here) and `h` renders straight to a string of HTML, wrapped in `Html`.
 *
 * Escaping is the default: every string child and every attribute value is escaped (`& < > " '`), so
 * user text never becomes markup. The only way to insert markup is `raw()`, for markup we made
 * ourselves (the Markdown renderer's output, which has raw HTML switched off). URL attributes
 * (`href`, `src`, `action`...) must be relative or use http(s), mailto or magnet; anything else
 * (`javascript:`, `data:`, `vbscript:`...) is replaced by `about:invalid#unsafe`. Inline event
 * handlers (`on*` attributes) are refused outright: the site's scripts live in /static and attach
 * their own listeners. Boolean attributes: `true` writes the name alone, `false`/null/undefined
 * leave the attribute out. Void elements (`<br>`, `<img>`, `<input>`...) have no closing tag.
 * (HTML Living Standard, 13.1 "Writing HTML documents": void elements, attribute syntax.)
 */

import { safeUrl } from '../../safe-url.js';

export { safeUrl };

/** Markup that is already safe to insert as is. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Child = Html | string | number | boolean | null | undefined | readonly Child[];
export type AttrValue = string | number | boolean | null | undefined;
export type Component<P> = (props: P) => Html;

/** Trusted markup; never pass user input here. */
export function raw(markup: string): Html {
  return new Html(markup);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const SPECIAL = /[&<>"']/;
const SPECIAL_ALL = /[&<>"']/g;

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(SPECIAL_ALL, (c) => ESCAPES[c]!);
}

const VOID = new Set([
  'area',
  'base',
  'br',
  'col',
  'embed',
  'hr',
  'img',
  'input',
  'link',
  'meta',
  'source',
  'track',
  'wbr',
]);
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'poster', 'cite', 'data', 'background']);
const TAG = /^[a-z][a-z0-9-]*$/;
const ATTR = /^[a-zA-Z_:][a-zA-Z0-9_:.-]*$/;

function attributes(props: Record<string, unknown>): string {
  let out = '';
  for (const name in props) {
    if (name === 'children') continue;
    const value = props[name];
    if (value === false || value === null || value === undefined) continue;
    if (!ATTR.test(name)) throw new Error(`html: invalid attribute name "${name}"`);
    if (name.length > 2 && name.slice(0, 2).toLowerCase() === 'on')
      throw new Error(`html: inline event handler "${name}" refused (attach listeners from a script)`);
    if (value === true) {
      out += ` ${name}`;
      continue;
    }
    if (typeof value !== 'string' && typeof value !== 'number')
      throw new Error(`html: attribute "${name}" must be text, a number or a boolean`);
    const text = String(value);
    out += ` ${name}="${escapeHtml(URL_ATTRS.has(name.toLowerCase()) ? safeUrl(text) : text)}"`;
  }
  return out;
}

function appendChild(child: Child, out: string[]): void {
  if (child === null || child === undefined || child === false || child === true) return;
  if (child instanceof Html) out.push(child.value);
  else if (typeof child === 'string') out.push(escapeHtml(child));
  else if (typeof child === 'number') out.push(String(child));
  else if (Array.isArray(child)) for (const c of child) appendChild(c, out);
  else throw new Error(`html: cannot render a child of type ${typeof child}`);
}

/** Renders children (strings escaped, `Html` as is, arrays flattened, booleans and nullish skipped). */
export function renderChildren(children: Child): Html {
  const out: string[] = [];
  appendChild(children, out);
  return new Html(out.join(''));
}

/** The JSX factory: an element or a component call, rendered to `Html`. */
export function h(
  tag: string | Component<Record<string, unknown>>,
  props: Record<string, unknown> | null,
  ...children: Child[]
): Html {
  if (typeof tag === 'function') {
    const p = { ...props } as Record<string, unknown>;
    if (children.length > 0) p.children = children.length === 1 ? children[0] : children;
    return tag(p);
  }
  if (!TAG.test(tag)) throw new Error(`html: invalid tag name "${tag}"`);
  const open = `<${tag}${props ? attributes(props) : ''}>`;
  if (VOID.has(tag)) {
    if (children.length > 0) throw new Error(`html: <${tag}> cannot have children`);
    return new Html(open);
  }
  const out: string[] = [open];
  appendChild(children, out);
  out.push(`</${tag}>`);
  return new Html(out.join(''));
}

/** `<>...</>`: its children, nothing around them. */
export function Fragment(props: { children?: Child } | null): Html {
  return renderChildren(props?.children);
}

/** The whole document: the doctype and the root element. */
export function documentHtml(root: Html): string {
  return `<!doctype html>\n${root.value}`;
}

type IntrinsicAttributes = { [name: string]: AttrValue | Child } & { children?: Child };

// TypeScript looks up the JSX types on the factory's namespace (`h.JSX`).
export declare namespace h {
  namespace JSX {
    type Element = Html;
    interface ElementChildrenAttribute {
      children: unknown;
    }
    interface IntrinsicElements {
      [tag: string]: IntrinsicAttributes;
    }
  }
}
