/**
 * Outgoing mail (issue 19, accounts): `SEEDCAST_SMTP_URL` names the SMTP server that sends password
 * resets and address verifications (`smtp://user:pass@host:587`, STARTTLS when offered, or
 * `smtps://user:pass@host:465`, TLS from the start; user and password percent-encoded), and
 * `SEEDCAST_MAIL_FROM` the sender (`Name <address>` or an address; default `Seedcast
 * <noreply@HOST>` with the host of the public URL). Without an SMTP URL the site sends no mail:
 * an admin makes one-time reset links instead. Read with the rest of the configuration
 * (`config.ts`); nothing else reads the environment.
 */

import type { MailConfig } from './accounts/index.js';
import { SeedcastError } from './errors.js';

export type { MailConfig };

const ADDRESS = /^[^\s<>@"]+@[A-Za-z0-9.-]+$/;
const NAMED = /^[^<>\r\n"]{0,100}<([^\s<>@"]+@[A-Za-z0-9.-]+)>$/;

/** `SEEDCAST_SMTP_URL` and `SEEDCAST_MAIL_FROM`; throws USAGE on a malformed value. */
export function readMailConfig(env: Record<string, string | undefined>): MailConfig {
  const url = env.SEEDCAST_SMTP_URL?.trim() || undefined;
  if (url !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new SeedcastError('USAGE', 'SEEDCAST_SMTP_URL is not a URL (smtp://user:pass@host:587)');
    }
    if ((parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') || parsed.hostname === '')
      throw new SeedcastError('USAGE', 'SEEDCAST_SMTP_URL must be smtp://host[:port] or smtps://host[:port]');
  }
  const from = env.SEEDCAST_MAIL_FROM?.trim() || undefined;
  if (from !== undefined && !ADDRESS.test(from) && !NAMED.test(from))
    throw new SeedcastError('USAGE', 'SEEDCAST_MAIL_FROM must be an address or "Name <address>"');
  return { smtpUrl: url, mailFrom: from };
}
