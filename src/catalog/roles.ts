/**
 * Who may do what by role: admins run the site (settings, roles, everything); moderators may act on
 * what people publish and say (take items down and restore them, resolve reports, delete comments,
 * disable and enable non-admin accounts, read the audit log) but not on the site's settings or on
 * roles; users act on their own things. Every moderation check goes through `canModerate`.
 */

import type { Role } from '../db/index.js';

/** True for admins and moderators. */
export function canModerate(user: { role: Role } | undefined | null): boolean {
  return user?.role === 'admin' || user?.role === 'moderator';
}

/** True for admins only (settings, roles, jobs, quotas). */
export function isAdmin(user: { role: Role } | undefined | null): boolean {
  return user?.role === 'admin';
}
