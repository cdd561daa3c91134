/**
 * An item's licence as the item page shows it: the Creative Commons button drawn as text boxes
 * (`CC` `BY` `SA`, styled by `.license-button` in the stylesheet; no image is fetched), the
 * licence's name, and a `rel="license"` link to its deed or SPDX page (`licenseInfo` in
 * `src/licenses.ts`). No licence reads "all rights reserved".
 */

import { licenseInfo } from '../../licenses.js';
import { type Html, h } from '../html/jsx.js';

export function LicenseBadge(props: { license: string | null }): Html {
  const info = licenseInfo(props.license);
  if (!info) return <span class="muted">No licence given (all rights reserved)</span>;
  const button = info.badge ? (
    <span class="license-button" aria-hidden="true">
      {info.badge.map((part) => (
        <span class="license-el">{part}</span>
      ))}
    </span>
  ) : null;
  if (!info.url)
    return (
      <span class="license-badge" id="license">
        {info.name}
      </span>
    );
  return (
    <a class="license-badge" href={info.url} rel="license noopener" id="license">
      {button}
      {info.name}
    </a>
  );
}
