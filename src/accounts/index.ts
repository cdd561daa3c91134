/**
 * Accounts (issue 19) beyond login: one-time links (password resets, address verification) and the
 * mail that carries them, deleting and exporting an account. `createAccountServices` builds what
 * `SiteServices.accounts` holds; nothing starts at import time.
 */

import type { SiteLinks } from '../catalog/index.js';
import { AccountEmails, AccountRemoval, AccountTokenRepository, type ScryptCost } from '../catalog/index.js';
import type { Database } from '../db/index.js';
import { AccountMail } from './account-mail.js';
import { createMailer, type MailConfig } from './mailer.js';

export { AccountMail } from './account-mail.js';
export { createMailer, type MailConfig, type Mailer } from './mailer.js';
export { type MailBody, resetMail, verifyMail } from './templates.js';

export interface AccountServices {
  tokens: AccountTokenRepository;
  emails: AccountEmails;
  removal: AccountRemoval;
  mail: AccountMail;
}

export function createAccountServices(
  db: Database,
  options: { mail?: MailConfig; links: SiteLinks; scrypt?: ScryptCost; warn?: (m: string) => void },
): AccountServices {
  const tokens = new AccountTokenRepository(db, options.scrypt ? { scrypt: options.scrypt } : {});
  const emails = new AccountEmails(db);
  const mailer = createMailer(options.mail ?? { smtpUrl: undefined, mailFrom: undefined }, {
    publicUrl: () => options.links.root,
  });
  return {
    tokens,
    emails,
    removal: new AccountRemoval(db),
    mail: new AccountMail({
      tokens,
      emails,
      mailer,
      links: options.links,
      ...(options.warn ? { warn: options.warn } : {}),
    }),
  };
}
