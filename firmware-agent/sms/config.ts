// SMS channel settings: the configuration's `sms` section (config.json; sms.json before issue 12 §1), merged
// over the defaults, validated with the configuration, frozen. Templates use {placeholders}; units are in the names.
import { SmsError } from './errors.js';

const bad = (field: string, message: string) => new SmsError('sms-config-invalid', `sms ${field}: ${message}`, field);

export interface SmsConfig {
  /** Sent to the sender of a new SMS ticket. {number} */
  autoReply: string;
  /** Sent when a ticket is answered at once or replied by a department. {number} {result} */
  resultTemplate: string;
  /** Sent when a ticket is closed (办结). {number} */
  closedTemplate: string;
  /** Answer to `查询 <ticket number>` from the phone that filed it. {number} {status} {updated} */
  queryReply: string;
  /** Answer when no ticket of that number was filed from this phone (existence is not revealed). {number} */
  queryNotFound: string;
  /** Answer to `查询` with something that is not a 19-digit ticket number. {number} (what was sent) */
  queryInvalid: string;
  /** Alert to the duty phone of the authority responsible for an urgent ticket. {number} {domain} {subject} */
  alertTemplate: string;
  /** Duty phone per ticket domain code; "*" is the fallback. */
  dutyPhones: Record<string, string>;
  /**
   * Channels whose callers get result notices (a phone caller on a mobile also gets one). Web and WeChat
   * tickets are included: the public intake confirms the citizen's phone with a code before it takes one.
   */
  notifyChannels: string[];
  /** Ticket type for an SMS (the agent may reclassify). */
  ticketType: 'complaint' | 'inquiry' | 'suggestion';
  /** Wait for missing parts of a long message before keeping it as incomplete, ms. */
  concatTimeoutMs: number;
  /** Per-modem rate limit: at least this long per outgoing part, ms (a 3-part message holds the next back 3×). */
  minSendIntervalMs: number;
  /**
   * A single-part message from the same sender with the same text within this long of one already
   * stored is a network duplicate (re-delivery with a new time stamp) and makes no second ticket, ms.
   * The same text with the same service-centre time stamp is a duplicate at any distance. Queries
   * (`查询 …`) are exempt from the window: asking twice gets two answers.
   */
  duplicateWindowMs: number;
  /** Attempts before an outgoing message is marked failed. */
  maxAttempts: number;
  /** First retry delay, doubling per attempt, ms (capped at 1 h). */
  retryBaseMs: number;
  /** Longest result text quoted in a notice, characters (the rest is cut with "…"). */
  maxResultChars: number;
  /**
   * Automatic replies (acknowledgements, query answers, missed-call notices) one number may receive per hour;
   * past it the box files what it must and stays silent, so nobody can make the box text a victim (or run up
   * its SIM plan) by sending or calling in its name. Notices a person triggers (results, alerts) do not count.
   */
  maxRepliesPerSenderPerHour: number;
  /**
   * Senders whose messages are kept but make no ticket and get no reply: operators' service numbers
   * (balance and data notices). A trailing `*` matches a prefix. Alphanumeric senders are always ignored.
   */
  ignoreSenders: string[];
}

export const defaultSmsConfig: SmsConfig = {
  autoReply: '【12328】已受理，工单号{number}。回复“查询 {number}”查进度。',
  resultTemplate: '【12328】您反映的问题（工单{number}）办理结果：{result}',
  closedTemplate: '【12328】您的工单{number}已办结，感谢您对交通运输工作的监督。',
  queryReply: '【12328】工单{number}当前状态：{status}（更新于{updated}）。',
  queryNotFound: '【12328】未查到您提交的工单{number}，请核对工单号。',
  queryInvalid: '【12328】工单号为19位数字，请发送“查询 工单号”查询进度（受理短信中有工单号）。',
  alertTemplate: '【12328紧急】工单{number}（{domain}）需立即处置：{subject}',
  dutyPhones: {},
  notifyChannels: ['sms', 'phone', 'web', 'wechat'],
  ticketType: 'complaint',
  concatTimeoutMs: 10 * 60_000,
  minSendIntervalMs: 3000,
  duplicateWindowMs: 10 * 60_000,
  maxAttempts: 10,
  retryBaseMs: 30_000,
  maxResultChars: 300,
  maxRepliesPerSenderPerHour: 10,
  ignoreSenders: ['10086', '10010', '10000', '10001'],
};

const templates = ['autoReply', 'resultTemplate', 'closedTemplate', 'queryReply', 'queryNotFound', 'queryInvalid', 'alertTemplate'] as const;

/** Merges a partial over the defaults; rejects unknown keys and bad values, naming the field. */
export function smsConfig(partial: Partial<SmsConfig> = {}, base: SmsConfig = defaultSmsConfig): Readonly<SmsConfig> {
  // Not an object (null, a number, a list): named, not a TypeError from Object.keys (npm run fuzz, seed 675289).
  if (!partial || typeof partial !== 'object' || Array.isArray(partial)) throw bad('(root)', 'must be an object');
  for (const k of Object.keys(partial)) if (!(k in base)) throw bad(k, 'unknown setting');
  const c: SmsConfig = { ...base, ...partial, dutyPhones: { ...base.dutyPhones, ...(partial.dutyPhones ?? {}) } };
  for (const k of templates) if (typeof c[k] !== 'string' || c[k].trim() === '') throw bad(k, 'must be a non-empty text');
  if (!c.autoReply.includes('{number}')) throw bad('autoReply', 'must contain {number}');
  for (const [d, p] of Object.entries(c.dutyPhones)) {
    if (!/^\+?\d{3,20}$/.test(p)) throw bad(`dutyPhones.${d}`, 'must be a phone number');
  }
  const pos = (k: 'concatTimeoutMs' | 'minSendIntervalMs' | 'duplicateWindowMs' | 'maxAttempts' | 'retryBaseMs' | 'maxResultChars' | 'maxRepliesPerSenderPerHour', min: number) => {
    if (!Number.isFinite(c[k]) || c[k] < min) throw bad(k, `must be a number ≥ ${min}`);
  };
  pos('concatTimeoutMs', 100);
  pos('minSendIntervalMs', 0);
  pos('duplicateWindowMs', 0);
  pos('maxAttempts', 1);
  pos('retryBaseMs', 100);
  pos('maxResultChars', 20);
  pos('maxRepliesPerSenderPerHour', 1);
  if (!['complaint', 'inquiry', 'suggestion'].includes(c.ticketType)) throw bad('ticketType', 'must be complaint, inquiry or suggestion');
  if (!Array.isArray(c.notifyChannels)) throw bad('notifyChannels', 'must be a list of channel codes');
  if (!Array.isArray(c.ignoreSenders) || c.ignoreSenders.some((x) => typeof x !== 'string' || !/^\+?\d+\*?$/.test(x))) {
    throw bad('ignoreSenders', 'must be a list of numbers (a trailing * matches a prefix)');
  }
  return Object.freeze({
    ...c,
    dutyPhones: Object.freeze({ ...c.dutyPhones }),
    notifyChannels: Object.freeze([...c.notifyChannels]) as string[],
    ignoreSenders: Object.freeze([...c.ignoreSenders]) as string[],
  });
}

const text = { type: 'string', maxLength: 1000 } as const;
const count = { type: 'number' } as const;

/** JSON schema of the `sms` section (config/schema.ts): the types; smsConfig() checks the rest. */
export const smsSectionSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...Object.fromEntries(templates.map((k) => [k, text])),
    dutyPhones: { type: 'object', maxProperties: 200, additionalProperties: { type: 'string', maxLength: 21 } },
    notifyChannels: { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 40 } },
    ticketType: { enum: ['complaint', 'inquiry', 'suggestion'] },
    concatTimeoutMs: count,
    minSendIntervalMs: count,
    duplicateWindowMs: count,
    maxAttempts: count,
    retryBaseMs: count,
    maxResultChars: count,
    maxRepliesPerSenderPerHour: count,
    ignoreSenders: { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 24 } },
  },
} as const;

/** The rules the JSON schema cannot say, as configuration problems `sms.<field>: …`. */
export function smsSettingsProblems(settings: unknown): string[] {
  try {
    smsConfig(settings as Partial<SmsConfig>);
    return [];
  } catch (err) {
    if (err instanceof SmsError) return [err.message.replace(/^sms /, 'sms.')];
    throw err;
  }
}

/** Fills {placeholders}; unknown ones stay as written so a typo is visible in the message. */
export function render(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m);
}
