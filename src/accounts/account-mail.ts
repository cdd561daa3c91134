/**
 * The accounts' one-time links, made and mailed: a "forgot password" request (answered the same
 * whether or not the account exists; mailed only to a verified address, at most `perAccount` reset
 * mails an hour per account, sent in the background so the answer's timing says nothing), an
 * address verification (mailed at once; the caller shows a failure), and an admin's reset link
 * (shown to the admin, never mailed). Links are the site's public URL plus `/reset-password?token=`
 * or `/verify-email?token=`. Tokens are never logged.
 */

import type { AccountEmails, AccountTokenRepository, SiteLinks, User } from '../catalog/index.js';
import type { Mailer } from './mailer.js';
import { resetMail, verifyMail } from './templates.js';

export interface AccountMailOptions {
  tokens: AccountTokenRepository;
  emails: AccountEmails;
  mailer: Mailer;
  links: SiteLinks;
  /** Reset mails per account per hour (default 3). */
  perAccount?: number;
  /** Where background failures are reported (no token or body in them). */
  warn?: (message: string) => void;
  now?: () => number;
}

const HOUR = 3_600_000;

export class AccountMail {
  /** Mails in flight (tests and shutdown can wait for them). */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly options: AccountMailOptions) {}

  get enabled(): boolean {
    return this.options.mailer.enabled;
  }

  private site(): string {
    return new URL(this.options.links.root).host;
  }

  private link(path: string, token: string): string {
    return `${this.options.links.root}${path}?token=${encodeURIComponent(token)}`;
  }

  /**
   * "Forgot password" for a username or an address: when it names an active account with a
   * verified address (and the per-account limit allows), a reset link is mailed in the background.
   * Resolves the same way in every case.
   */
  async requestReset(login: string): Promise<void> {
    const { tokens, emails, mailer } = this.options;
    if (!mailer.enabled) return;
    const target = await emails.resetTarget(login);
    if (!target) return;
    const now = (this.options.now ?? Date.now)();
    if ((await tokens.issuedSince(target.userId, 'reset', now - HOUR)) >= (this.options.perAccount ?? 3))
      return;
    const { token, expiresAt } = await tokens.issue(target.userId, 'reset');
    const mail = resetMail({
      site: this.site(),
      username: target.username,
      url: this.link('/reset-password', token),
      expiresAt,
    });
    const sending = mailer
      .send(target.email, mail)
      .catch((err: unknown) => this.options.warn?.(`password reset mail not sent: ${(err as Error).message}`))
      .finally(() => this.pending.delete(sending));
    this.pending.add(sending);
  }

  /** Mails a verification link for the account's (new) address; rejects when the mail fails. */
  async sendVerification(user: Pick<User, 'id' | 'username'>, email: string): Promise<void> {
    const { tokens, mailer } = this.options;
    if (!mailer.enabled) return;
    const { token, expiresAt } = await tokens.issue(user.id, 'verify-email', { email });
    await mailer.send(
      email,
      verifyMail({
        site: this.site(),
        username: user.username,
        url: this.link('/verify-email', token),
        expiresAt,
      }),
    );
  }

  /** A one-time reset link for an admin to hand over (an hour; older reset links stop working). */
  async resetLink(userId: number): Promise<{ url: string; expiresAt: number }> {
    const { token, expiresAt } = await this.options.tokens.issue(userId, 'reset');
    return { url: this.link('/reset-password', token), expiresAt };
  }

  /** Resolves once the mails in flight are sent or failed. */
  async settled(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}
