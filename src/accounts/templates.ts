/**
 * The account mails' words: a password reset and an address verification, each as plain text and
 * as HTML (escaped here: the username and URLs are data). Links point at the site's public URL.
 */

export interface MailBody {
  subject: string;
  text: string;
  html: string;
}

export interface LinkMail {
  /** The site's name as shown (e.g. its public host). */
  site: string;
  username: string;
  /** The one-time link. */
  url: string;
  /** When the link stops working (ms since the epoch). */
  expiresAt: number;
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function until(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function body(lines: { before: string[]; link: string; after: string[] }, url: string): MailBody['html'] {
  const p = (t: string) => `<p>${escapeHtml(t)}</p>`;
  return [
    '<!doctype html><html><body style="font-family:sans-serif">',
    ...lines.before.map(p),
    `<p><a href="${escapeHtml(url)}">${escapeHtml(lines.link)}</a></p>`,
    `<p style="color:#555">${escapeHtml(url)}</p>`,
    ...lines.after.map(p),
    '</body></html>',
  ].join('\n');
}

/** "Reset your password": the link works once, for an hour. */
export function resetMail(m: LinkMail): MailBody {
  const before = [`Someone (hopefully you) asked to reset the password of ${m.username} on ${m.site}.`];
  const after = [
    `The link works once, until ${until(m.expiresAt)}. Your sessions end when you set the new password.`,
    'If you did not ask for this, ignore this mail: your password stays as it is.',
  ];
  return {
    subject: `Reset your password on ${m.site}`,
    text: [...before, '', 'Choose a new password here:', m.url, '', ...after].join('\n'),
    html: body({ before, link: 'Choose a new password', after }, m.url),
  };
}

/** "Verify your address": the link works once, for a day. */
export function verifyMail(m: LinkMail): MailBody {
  const before = [`This address was given for the account ${m.username} on ${m.site}.`];
  const after = [
    `The link works once, until ${until(m.expiresAt)}. Once verified, password resets can be mailed here.`,
    'If this was not you, ignore this mail: nothing changes without the link.',
  ];
  return {
    subject: `Verify your email address on ${m.site}`,
    text: [...before, '', 'Verify it here:', m.url, '', ...after].join('\n'),
    html: body({ before, link: 'Verify this address', after }, m.url),
  };
}
