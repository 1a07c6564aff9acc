// Public subsystem installer (issue 16 §1–§3, §5; firmware-agent/subsystems.ts): the citizens' page and API
// under /public, reachable without a staff login and treated as hostile.
// - No staff session on the prefix: the session cookie is neither read (request.user stays null) nor set.
// - State-changing requests must be JSON (a form post from another site never reaches a handler).
// - Every answer carries a strict CSP (no inline script or style, nothing from elsewhere, no framing),
//   nosniff, no referrer, no caching of API answers.
// - Nothing of the staff API is under the prefix: only the routes registered here answer there (the auth
//   hook guards /api/ only, and no /api/ route is reachable through /public/…).
import type { Box } from '../app.js';
import { alarmsOf } from '../alarms/install.js';
import { AppError } from '../errors.js';
import { caseRoutes } from './cases.js';
import { caseFollowUpRoutes } from './follow-up.js';
import { intakeRoutes, publicPrefix, type PublicSms } from './intake.js';
import { intakePhotoRoutes } from './photos.js';
import { pageRoutes } from './page.js';

export const publicCsp =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const onPrefix = (url: string) => url === publicPrefix || url.startsWith(`${publicPrefix}/`) || url.startsWith(`${publicPrefix}?`);

/** The SMS channel's outbox when the box has a modem (the SMS installer hands it to the alarms). */
function smsOf(box: Box): () => PublicSms | null {
  return () => (alarmsOf(box).sms as unknown as PublicSms | null) ?? null;
}

export async function installPublic(box: Box): Promise<void> {
  const app = box.http;
  app.addHook('onRequest', async (request) => {
    if (!onPrefix(request.url)) return;
    request.user = null;
    if (request.cookies) delete request.cookies.edgebox_session;
    if (!stateChanging.has(request.method)) return;
    const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
    if (hasBody && type !== 'application/json') throw new AppError('unsupported-media-type');
  });
  app.addHook('onSend', async (request, reply, payload) => {
    if (!onPrefix(request.url)) return payload;
    reply.removeHeader('set-cookie');
    reply.header('content-security-policy', publicCsp);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
    if (request.url.startsWith(`${publicPrefix}/api/`)) reply.header('cache-control', 'no-store');
    // A refused-for-rate answer says when to come back (the error body carries it; a small JSON string here).
    if (reply.statusCode === 429 && typeof payload === 'string') {
      const after = (JSON.parse(payload) as { error?: { details?: { retryAfterSeconds?: unknown } } }).error?.details?.retryAfterSeconds;
      if (typeof after === 'number') reply.header('retry-after', String(after));
    }
    return payload;
  });
  await intakeRoutes(app, box, smsOf(box));
  await intakePhotoRoutes(app, box);
  await caseFollowUpRoutes(app, box);
  await caseRoutes(app, box);
  await pageRoutes(app);
}
