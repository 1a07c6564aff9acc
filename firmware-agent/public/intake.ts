// The public API (issue 16 §1, §2, §5) under /public/api: a citizen confirms a phone with a one-time code by
// SMS, files a ticket (channel `web`, or `wechat` from WeChat's in-app browser) with optional photos, and
// later looks the case up by its number and the last four digits of the phone, adds a follow-up or rates
// the result (the return visit, through the normal ticket flow). Everything here is hostile input: JSON
// schemas with no unknown fields, small body caps, per-address / per-phone / per-number limits, and one
// answer for a wrong number and a wrong phone. docs/public.md describes the contract. This file holds the
// intake (code, form, submission); follow-up.ts the citizen's own case, photos.ts the centre's view of photos.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Box } from '../app.js';
import { AppError } from '../errors.js';
import { errorResponses } from '../http/server.js';
import { type Satisfaction, satisfactions, statuses, ticketTypes } from '../tickets/codes.js';
import type { TicketRow } from '../tickets/model.js';
import type { Actor } from '../accounts/actor.js';
import { cleanPhoto, PhotoError } from './images.js';
import { RateLimiter } from './limiter.js';

export const publicPrefix = '/public';
export const publicActor: Actor = { id: null, name: 'public', role: 'system' };

/** Where the box's SMS goes (the SMS channel's durable outbox), or null without a modem. */
export interface PublicSms {
  enqueue(m: { recipient: string; text: string; kind: 'auto-reply'; ticketNumber?: string | null }): number | null;
  kick(): void;
}

export const limits = {
  maxPhotos: 3,
  maxPhotoBytes: 2 * 1024 * 1024,
  intakeBodyBytes: 3 * Math.ceil((2 * 1024 * 1024 * 4) / 3) + 16 * 1024,
  smallBodyBytes: 8 * 1024,
  codeTtlMs: 5 * 60_000,
  codeAttempts: 5,
};

const min = 60_000;
/** Rate-limit rules: per address, per phone, per ticket number (docs/public.md). */
export const rateRules = {
  codePerAddress: { limit: 5, windowMs: 10 * min },
  codePerPhone: { limit: 3, windowMs: 60 * min },
  intakePerAddress: { limit: 5, windowMs: 60 * min },
  intakePerPhone: { limit: 3, windowMs: 60 * min },
  casePerAddress: { limit: 20, windowMs: 10 * min },
  casePerNumber: { limit: 10, windowMs: 60 * min },
};

const MOBILE = /^1[3-9]\d{9}$/;
export const noControl = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$';
const phoneSchema = { type: 'string', pattern: '^(?:1[3-9][0-9]{9}|0[0-9]{9,11})$' } as const;
export const numberSchema = { type: 'string', pattern: '^[0-9]{19}$' } as const;
export const last4Schema = { type: 'string', pattern: '^[0-9]{4}$' } as const;
const citizenTypes = ['inquiry', 'suggestion', 'complaint', 'report'] as const;

interface IntakeBody {
  type: (typeof citizenTypes)[number];
  domain: string;
  region: string;
  description: string;
  location?: string;
  name?: string;
  phone: string;
  code?: string;
  photos?: { data: string }[];
}

export interface CaseBody {
  number: string;
  phoneLast4: string;
  text?: string;
  satisfaction?: Satisfaction;
  note?: string;
}

/** WeChat's in-app browser says `MicroMessenger/<version>` in its user agent (WeChat Work adds `wxwork`). */
export function channelOf(userAgent: string | undefined): 'web' | 'wechat' {
  return /MicroMessenger\//i.test(userAgent ?? '') ? 'wechat' : 'web';
}

/** What a citizen may see of a case: status, the result text and dates — no notes, names or identity. */
export function publicCase(row: TicketRow) {
  const status = statuses.find((s) => s.code === row.status)!;
  const type = row.subtype === 'report' ? { code: 'report', zh: '举报', en: 'Report' } : ticketTypes.find((t) => t.code === row.type)!;
  const result = row.reply_text ?? row.answer_text ?? null;
  return {
    number: row.number,
    type: { code: type.code, zh: type.zh, en: type.en },
    status: { code: status.code, zh: status.zh, en: status.en },
    result,
    rating: row.satisfaction,
    canRate: (row.status === 'replied' || (row.status === 'closed' && row.answer_text !== null && row.replied_at === null)) && row.satisfaction === null,
    dates: {
      receivedAt: row.created_at,
      dueAt: row.due_at,
      dispatchedAt: row.dispatched_at,
      repliedAt: row.replied_at,
      closedAt: row.closed_at,
    },
  };
}

export async function intakeRoutes(app: FastifyInstance, box: Box, sms: () => PublicSms | null): Promise<void> {
  const c = intakeContext(box, sms);
  formRoute(app, c);
  codeRoute(app, c);
  submitRoute(app, c);
}

const schemaBase = { tags: ['public'], security: [] };

type Intake = ReturnType<typeof intakeContext>;

/** What the intake's routes share: limiters, statements, the code key, and the ticket transaction's hook. */
function intakeContext(box: Box, sms: () => PublicSms | null) {
  const now = () => box.now().getTime();
  const limiter = (r: { limit: number; windowMs: number }) => new RateLimiter(r, now);
  const lim = Object.fromEntries(Object.entries(rateRules).map(([k, r]) => [k, limiter(r)])) as Record<keyof typeof rateRules, RateLimiter>;
  // Codes are kept as keyed hashes; the key lives in memory only (a restart voids codes not yet used).
  const codeKey = randomBytes(32);
  const hashCode = (phone: string, code: string) => createHmac('sha256', codeKey).update(`${phone}:${code}`).digest();
  const db = box.db;
  const stmts = {
    otp: db.prepare('SELECT code_hash, expires_at, attempts FROM public_otps WHERE phone = ?'),
    putOtp: db.prepare(
      `INSERT INTO public_otps (phone, code_hash, expires_at, attempts, created_at) VALUES (@phone, @hash, @expires, 0, @at)
       ON CONFLICT(phone) DO UPDATE SET code_hash = @hash, expires_at = @expires, attempts = 0, created_at = @at`,
    ),
    failOtp: db.prepare('UPDATE public_otps SET attempts = attempts + 1 WHERE phone = ?'),
    useOtp: db.prepare('DELETE FROM public_otps WHERE phone = ?'),
    intake: db.prepare('INSERT INTO public_intake (ticket_number, phone_confirmed, created_at) VALUES (?, ?, ?)'),
    photo: db.prepare('INSERT INTO public_photos (ticket_number, mime, bytes, created_at) VALUES (?, ?, ?, ?)'),
    domains: db.prepare('SELECT code, label_zh AS zh, label_en AS en FROM domains WHERE disabled = 0 ORDER BY sort, code'),
    domain: db.prepare('SELECT 1 FROM domains WHERE code = ? AND disabled = 0'),
  };

  const limit = (l: RateLimiter, key: string, what: string) => {
    if (!l.take(key)) throw new AppError('public-rate-limited', `too many ${what}; try again later`, { retryAfterSeconds: l.retryAfter(key) });
  };
  const audit = (action: string, entityId: string, data: Record<string, unknown>, note: string | null = null) =>
    box.tickets.audit.append(publicActor, box.now(), { entity: 'public', entityId, action, note, data });
  const masked = (p: string) => `${'*'.repeat(Math.max(0, p.length - 4))}${p.slice(-4)}`;

  const ctx = {
    box,
    sms,
    db,
    stmts,
    lim,
    hashCode,
    limit,
    audit,
    masked,
    /** What the submission being created brings with it (read by the transaction hook below). */
    pending: null as { photos: { type: string; bytes: Buffer }[]; confirmed: boolean; phone: string } | null,
  };

  // The ticket's own transaction also records how it came in, stores its photos, consumes the code and
  // queues the SMS with its number (so none of these exists without the ticket, or the other way round).
  box.tickets.addTransactionHook((c) => {
    const pending = ctx.pending;
    if (c.action !== 'create' || c.actor !== publicActor || !pending) return;
    const at = c.at.toISOString();
    stmts.intake.run(c.ticket.number, pending.confirmed ? 1 : 0, at);
    for (const p of pending.photos) stmts.photo.run(c.ticket.number, p.type, p.bytes, at);
    if (pending.confirmed) stmts.useOtp.run(pending.phone);
    const out = sms();
    if (out && MOBILE.test(pending.phone)) {
      out.enqueue({ recipient: pending.phone, text: `【12328】您反映的问题已受理，工单号${c.ticket.number}。可凭工单号和手机号后四位在网上查询办理进度。`, kind: 'auto-reply', ticketNumber: c.ticket.number });
    }
  });
  return ctx;
}

/** GET /public/api/form: what the form offers. */
function formRoute(app: FastifyInstance, c: Intake): void {
  app.get('/public/api/form', { schema: { ...schemaBase, summary: 'What the intake form offers (types, industries, regions, SMS confirmation)' } }, async () => {
    const region = c.box.config.current().box.region;
    const here = c.box.regions.get(region);
    const below = c.box.regions.children(region);
    return {
      types: citizenTypes.map((c) => (c === 'report' ? { code: c, zh: '举报', en: 'Report of wrongdoing' } : { code: c, zh: ticketTypes.find((t) => t.code === c)!.zh, en: ticketTypes.find((t) => t.code === c)!.en })),
      domains: c.stmts.domains.all(),
      regions: [...(here ? [here] : []), ...below, ...below.flatMap((r) => c.box.regions.children(r.code))].map((r) => ({ code: r.code, name: r.name, parent: r.parent })),
      smsConfirmation: c.sms() !== null,
      satisfactions,
      limits: { maxPhotos: limits.maxPhotos, maxPhotoBytes: limits.maxPhotoBytes, maxDescription: 2000 },
    };
  });
}

/** POST /public/api/code: a one-time code by SMS to confirm a mobile number. */
function codeRoute(app: FastifyInstance, c: Intake): void {
  app.post<{ Body: { phone: string } }>(
    '/public/api/code',
    {
      bodyLimit: limits.smallBodyBytes,
      schema: {
        ...schemaBase,
        summary: 'Send a one-time code by SMS to confirm a mobile number',
        body: { type: 'object', additionalProperties: false, required: ['phone'], properties: { phone: phoneSchema } },
        response: errorResponses(400, 409, 413, 415, 429),
      },
    },
    async (request, reply) => {
      const { phone } = request.body;
      c.limit(c.lim.codePerAddress, request.ip, 'code requests from this address');
      const out = c.sms();
      if (!out) throw new AppError('public-sms-unavailable');
      if (!MOBILE.test(phone)) throw new AppError('public-phone-invalid', 'a code can be sent only to a mobile number');
      c.limit(c.lim.codePerPhone, phone, 'codes for this number');
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const at = c.box.now();
      const queued = c.db.transaction(() => {
        const id = out.enqueue({ recipient: phone, text: `【12328】您的验证码是${code}，5分钟内有效。如非本人操作，请忽略本短信。`, kind: 'auto-reply' });
        if (id === null) return false;
        c.stmts.putOtp.run({ phone, hash: c.hashCode(phone, code).toString('hex'), expires: new Date(at.getTime() + limits.codeTtlMs).toISOString(), at: at.toISOString() });
        c.audit('code-sent', c.masked(phone), { address: request.ip });
        return true;
      })();
      if (!queued) throw new AppError('public-rate-limited', 'this number had its share of automatic SMS this hour');
      out.kick();
      return reply.code(202).send({ sent: true, expiresInSeconds: limits.codeTtlMs / 1000 });
    },
  );
}

/** The one-time code the citizen typed for `phone`: right, in time and within its attempts, or refused. */
function checkCode(c: Intake, phone: string, code: string | undefined): void {
  if (code === undefined) throw new AppError('public-code-required');
  const row = c.stmts.otp.get(phone) as { code_hash: string; expires_at: string; attempts: number } | undefined;
  const given = c.hashCode(phone, code);
  const ok = !!row && row.attempts < limits.codeAttempts && Date.parse(row.expires_at) > c.box.now().getTime() && timingSafeEqual(Buffer.from(row.code_hash, 'hex'), given);
  if (!ok) {
    if (row) c.stmts.failOtp.run(phone);
    throw new AppError('public-code-invalid');
  }
}

/** POST /public/api/tickets: the citizen files a ticket. */
function submitRoute(app: FastifyInstance, c: Intake): void {
  app.post<{ Body: IntakeBody }>(
    '/public/api/tickets',
    {
      bodyLimit: limits.intakeBodyBytes,
      schema: {
        ...schemaBase,
        summary: 'File an inquiry, suggestion, complaint or report',
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['type', 'domain', 'region', 'description', 'phone'],
          properties: {
            type: { type: 'string', enum: citizenTypes },
            domain: { type: 'string', pattern: '^[a-z0-9-]{1,40}$' },
            region: { type: 'string', pattern: '^[0-9]{6}$' },
            description: { type: 'string', minLength: 5, maxLength: 2000, pattern: noControl },
            location: { type: 'string', maxLength: 200, pattern: noControl },
            name: { type: 'string', maxLength: 40, pattern: noControl },
            phone: phoneSchema,
            code: { type: 'string', pattern: '^[0-9]{6}$' },
            photos: {
              type: 'array',
              maxItems: limits.maxPhotos,
              items: {
                type: 'object',
                additionalProperties: false,
                required: ['data'],
                properties: { data: { type: 'string', maxLength: Math.ceil((2 * limits.maxPhotoBytes * 4) / 3), pattern: '^[A-Za-z0-9+/]*={0,2}$' } },
              },
            },
          },
        },
        response: errorResponses(400, 413, 415, 422, 429),
      },
    },
    async (request, reply) => {
      const b = request.body;
      c.limit(c.lim.intakePerAddress, request.ip, 'submissions from this address');
      if (b.description.trim().length < 5) throw new AppError('validation-failed', 'body.description: must say what happened', { field: 'body.description' });
      if (!c.box.regions.has(b.region)) throw new AppError('unknown-region', undefined, { region: b.region });
      if (!c.stmts.domain.get(b.domain)) throw new AppError('unknown-domain', undefined, { domain: b.domain });
      const photos = (b.photos ?? []).map((p, i) => {
        const raw = Buffer.from(p.data, 'base64');
        if (raw.length > limits.maxPhotoBytes) throw new AppError('public-photo-too-large', undefined, { photo: i, maxBytes: limits.maxPhotoBytes });
        try {
          return cleanPhoto(raw);
        } catch (e) {
          if (e instanceof PhotoError) throw new AppError('public-photo-invalid', `photo ${i}: ${e.message}`, { photo: i });
          throw e;
        }
      });
      const confirmed = c.sms() !== null;
      if (confirmed) checkCode(c, b.phone, b.code);
      c.limit(c.lim.intakePerPhone, b.phone, 'submissions for this number');
      const channel = channelOf(request.headers['user-agent']);
      const description = b.description.trim();
      const firstLine = description.split('\n')[0]!.trim();
      c.pending = { photos: photos.map((p) => ({ type: p.type, bytes: p.bytes })), confirmed, phone: b.phone };
      let view;
      try {
        view = c.box.tickets.create(
          {
            type: b.type === 'report' ? 'complaint' : b.type,
            subtype: b.type === 'report' ? 'report' : b.type === 'complaint' ? 'complaint' : null,
            domain: b.domain,
            channel,
            region: b.region,
            caller: { phone: b.phone, name: b.name?.trim() || null, anonymous: false },
            subject: firstLine.length > 30 ? `${firstLine.slice(0, 30)}…` : firstLine,
            description,
            location: b.location?.trim() || null,
          },
          publicActor,
        );
      } finally {
        c.pending = null;
      }
      c.sms()?.kick();
      c.audit('intake', view.number, { channel, photos: photos.length, phoneConfirmed: confirmed, address: request.ip });
      return reply.code(201).send({ number: view.number, channel, phoneConfirmed: confirmed, smsSent: confirmed && MOBILE.test(b.phone), photos: photos.length });
    },
  );
}
