/**
 * Sends the account mails through the SMTP server of `SEEDCAST_SMTP_URL` (nodemailer's SMTP
 * transport: STARTTLS when offered on smtp://, TLS on smtps://; 10 s to connect and greet, 20 s of
 * socket silence at most). Without a URL the mailer is off (`enabled` false) and sends nothing.
 * Errors name the server's answer, never the message: links carry one-time tokens, and neither
 * they nor the bodies are logged.
 */

import { createTransport, type Transporter } from 'nodemailer';
import type { MailBody } from './templates.js';

/** Where mail goes and who sends it (read from the environment by `config-mail.ts`). */
export interface MailConfig {
  /** The SMTP server's URL; undefined: no mail. */
  smtpUrl: string | undefined;
  /** The `From:` of every mail; undefined: `Seedcast <noreply@HOST>` (the public URL's host). */
  mailFrom: string | undefined;
}

export interface Mailer {
  /** False when no SMTP server is configured: nothing is sent. */
  readonly enabled: boolean;
  /** Sends one mail (resolves once the server accepted it); a no-op when disabled. */
  send(to: string, mail: MailBody): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  /** The site's public URL (the default sender's host). */
  publicUrl: () => string;
  /** Milliseconds to connect and to get the greeting (default 10 s); socket silence is twice that. */
  timeoutMs?: number;
}

function transportOptions(url: string, timeout: number) {
  const u = new URL(url);
  const secure = u.protocol === 'smtps:';
  const user = decodeURIComponent(u.username);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : secure ? 465 : 587,
    secure,
    ...(user ? { auth: { user, pass: decodeURIComponent(u.password) } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
    logger: false,
    debug: false,
  };
}

/** The mailer for `config` (off when `smtpUrl` is unset). */
export function createMailer(config: MailConfig, options: MailerOptions): Mailer {
  if (!config.smtpUrl) return { enabled: false, send: async () => undefined, close: () => undefined };
  const transport: Transporter = createTransport(
    transportOptions(config.smtpUrl, options.timeoutMs ?? 10_000),
  );
  const from = () =>
    config.mailFrom ?? `Seedcast <noreply@${new URL(options.publicUrl()).hostname || 'localhost'}>`;
  return {
    enabled: true,
    async send(to, mail) {
      try {
        await transport.sendMail({
          from: from(),
          to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        });
      } catch (err) {
        const why = err instanceof Error ? ((err as { code?: string }).code ?? err.name) : 'error';
        throw new Error(`mail to the SMTP server failed (${why})`);
      }
    },
    close: () => transport.close(),
  };
}
