import type { Delivery, NotificationKind } from '../../store/notifications.js';
import { ValidationError } from '../../core/errors.js';
import { NOTIFICATION_KINDS } from '../derive.js';
import { DELIVERIES, type InboxContext, preferencesOf } from '../inbox.js';

/** `input` maps kinds of notification to a delivery; kinds left out keep their setting. */
export function setPreferences(ctx: InboxContext, input: Partial<Record<string, string>>): Record<NotificationKind, Delivery> {
  const { store, userId } = ctx;
  const errors = Object.entries(input)
    .filter(([k, v]) => !NOTIFICATION_KINDS.includes(k as NotificationKind) || !DELIVERIES.includes(v as Delivery))
    .map(([k, v]) => ({ field: k, message: NOTIFICATION_KINDS.includes(k as NotificationKind) ? `must be immediate, digest or off (got "${v}")` : `is not a kind of notification (kinds: ${NOTIFICATION_KINDS.join(', ')})` }));
  if (errors.length) throw new ValidationError(errors);
  store.transaction(() => {
    for (const [k, v] of Object.entries(input)) store.notifications.setPreference(userId, k as NotificationKind, v as Delivery);
  });
  return preferencesOf(store, userId);
}
