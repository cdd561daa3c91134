/**
 * What the account pages and the account API both do (issue 19), in one place: change the address
 * (and mail its verification link), delete an account (password first; items removed through the
 * item DELETE path, or handed to the site's first admin), export its data, and make an admin's
 * one-time reset link (audited).
 */

import type { FastifyBaseLogger } from 'fastify';
import type { AccountServices } from '../../accounts/index.js';
import type { AccountEmail, ItemsChoice, User } from '../../catalog/index.js';
import { SeedcastError } from '../../errors.js';
import type { SiteServices } from '../app.js';
import { removeItem } from './item-edit-ops.js';

export type AccountSite = SiteServices & { accounts: AccountServices };

export interface EmailChange extends AccountEmail {
  /** True when a verification link was mailed. */
  verificationSent: boolean;
}

/** Sets (or, with null or "", removes) the account's address; mails a link when it needs verifying. */
export async function changeEmail(
  site: AccountSite,
  user: User,
  input: string | null,
): Promise<EmailChange | null> {
  const { emails, mail } = site.accounts;
  if (input === null || input.trim() === '') {
    await emails.remove(user.id);
    return null;
  }
  const stored = await emails.set(user.id, input);
  if (stored.verifiedAt !== null || !mail.enabled) return { ...stored, verificationSent: false };
  try {
    await mail.sendVerification(user, stored.email);
  } catch (err) {
    throw new SeedcastError(
      'INTERNAL',
      `email: the address is saved but the mail failed; try "resend" later`,
      {
        cause: err,
      },
    );
  }
  return { ...stored, verificationSent: true };
}

/** Mails the verification link again for the account's unverified address. */
export async function resendVerification(site: AccountSite, user: User): Promise<void> {
  const current = await site.accounts.emails.get(user.id);
  if (!current || current.verifiedAt !== null)
    throw new SeedcastError('USER_INVALID', 'email: there is no unverified address to verify');
  if (!site.accounts.mail.enabled) throw new SeedcastError('NOT_FOUND', 'this site sends no mail');
  await site.accounts.mail.sendVerification(user, current.email);
}

/**
 * Deletes `user`'s account after checking the password (AUTH_FAILED) and that it is not the last
 * admin (LAST_ADMIN): items removed one by one as `DELETE /api/v1/items/:id` does, or transferred.
 */
export async function deleteAccount(
  site: AccountSite,
  user: User,
  options: { password: string; items: ItemsChoice; address: string; log: FastifyBaseLogger },
): Promise<void> {
  await site.users.authenticate(
    { username: user.username, password: options.password },
    { address: options.address },
  );
  const { removal } = site.accounts;
  await removal.checkRemovable(user.id);
  if (options.items === 'delete') {
    for (const id of await removal.ownedItemIds(user.id)) {
      const item = await site.items.get(id);
      if (item)
        await removeItem(item, site, {
          warn: (err, key) => options.log.warn({ err, key }, 'cannot delete blob'),
        });
    }
  }
  // Audited first: the entry keeps the name once the row (and so its actor id) is gone.
  const site_ = await removal.siteAccount(user.id);
  await site.moderation?.record({
    actor: user,
    action: 'user.delete',
    targetType: 'user',
    targetId: user.id,
    target: user.username,
    reason:
      options.items === 'transfer' ? `items handed to ${site_?.username ?? 'the site'}` : 'items deleted',
  });
  const removed = await removal.remove(user.id, options.items);
  for (const key of removed.blobKeys)
    await site.blobs.delete(key).catch((err) => options.log.warn({ err, key }, 'cannot delete blob'));
}

/** The account's data as one JSON document (items with their page URLs). */
export async function exportAccount(site: AccountSite, user: User) {
  const data = await site.accounts.removal.export(user.id);
  return {
    format: 'seedcast-account-export/1',
    site: site.links.root,
    exportedAt: new Date().toISOString(),
    ...data,
    items: data.items.map((i) => ({ ...i, url: `${site.links.root}/items/${i.id}` })),
  };
}

/** A one-time reset link for account `name`, made by `admin` (audited). */
export async function adminResetLink(
  site: AccountSite,
  admin: User,
  name: string,
): Promise<{ url: string; expiresAt: number; username: string }> {
  const target = await site.users.byName(name);
  if (!target) throw new SeedcastError('NOT_FOUND', `no account "${name}"`);
  if (target.disabled) throw new SeedcastError('USER_INVALID', 'username: this account is disabled');
  const link = await site.accounts.mail.resetLink(target.id);
  await site.moderation?.record({
    actor: admin,
    action: 'user.reset-link',
    targetType: 'user',
    targetId: target.id,
    target: target.username,
  });
  return { ...link, username: target.username };
}

/** `export-NAME-2026-12-07.json`. */
export function exportFilename(user: User): string {
  return `seedcast-${user.username}-${new Date().toISOString().slice(0, 10)}.json`;
}
