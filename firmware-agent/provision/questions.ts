// The questions of `edgebox provision`, each with its Chinese and English text, its default and a parser that
// checks the answer at once (the wizard asks again; an answers file names the key). The answers file uses the
// same keys, nested: {hours: {open}} is the question `hours.open`.
import type { RegionTable } from '../regions/regions.js';
import { passwordProblem } from '../accounts/passwords.js';
import { nationalRegion } from '../config/store.js';
import type { BoxConfig, Role, TrunkDriverName } from '../config/model.js';

export class AnswerError extends Error {
  readonly code = 'provision-answer-invalid';
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
    this.name = 'AnswerError';
  }
}

/** The answers, flat by question key, after parsing. */
export type Answers = Partial<{
  driver: TrunkDriverName;
  serial: string;
  dchannel: string;
  role: Role;
  region: string;
  name: string;
  timezone: string;
  'hours.open': string;
  'hours.close': string;
  'hours.days': 'workdays' | 'every-day';
  hotline: string[];
  'admin.username': string;
  'admin.password': string;
  'supervisor.username': string;
  'supervisor.password': string;
  'supervisor.displayName': string;
  'upstream.url': string;
  'upstream.code': string;
}>;

export type Key = keyof Answers;

export interface Question {
  key: Key;
  zh: string;
  en: string;
  /** Shown in brackets; an empty answer takes it. Undefined: the answer is required (or skipped when optional). */
  default?: string;
  optional?: boolean;
  secret?: boolean;
  parse(text: string): unknown;
}

export interface Context {
  regions: Pick<RegionTable, 'has' | 'fullName'>;
  current: Readonly<BoxConfig>;
  /** The current business hours (calls.ivr.hours). */
  hours: { open: string; close: string; days: 'workdays' | 'every-day' };
  /** Serial ports on which a modem answered, first the likeliest. */
  modems: string[];
  /** Users that exist already (a re-run may leave their passwords as they are). */
  users: Set<string>;
  /** Answers so far (later questions depend on earlier ones). */
  answers: Answers;
}

const hhmm = (key: Key) => (s: string) => {
  if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(s)) throw new AnswerError(key, 'must be a time HH:MM (00:00–23:59) / 请按 HH:MM 格式输入时间');
  return s;
};
const username = (key: Key) => (s: string) => {
  if (!/^[a-z][a-z0-9._-]{2,31}$/.test(s)) throw new AnswerError(key, '3–32 lower-case letters, digits, . _ -, starting with a letter / 用户名须为3至32位小写字母、数字或 . _ -，以字母开头');
  return s;
};

/** The questions in order, for the answers so far. */
export function questions(c: Context): Question[] {
  const a = c.answers;
  const driver = a.driver ?? c.current.trunk.driver;
  const role = a.role ?? c.current.box.role;
  const q: Question[] = [
    {
      key: 'driver',
      zh: '中继驱动（simulator 模拟 / serial-at GSM 模块 / e1-pri E1 中继 / voice-modem 语音调制解调器）',
      en: 'Trunk driver (simulator / serial-at / e1-pri / voice-modem)',
      default: c.current.provisioned || c.current.trunk.driver !== 'simulator' ? c.current.trunk.driver : c.modems.length ? 'serial-at' : 'simulator',
      parse: (s) => {
        if (!['simulator', 'serial-at', 'e1-pri', 'voice-modem'].includes(s)) throw new AnswerError('driver', 'one of simulator, serial-at, e1-pri, voice-modem / 请输入 simulator、serial-at、e1-pri 或 voice-modem');
        return s;
      },
    },
  ];
  if (driver === 'serial-at' || driver === 'voice-modem') {
    const dflt = c.current.trunk.serial ?? c.modems[0];
    q.push({
      key: 'serial',
      zh: '模块串口',
      en: 'Modem serial port',
      ...(dflt ? { default: dflt } : {}),
      parse: (s) => {
        if (!s.startsWith('/')) throw new AnswerError('serial', 'an absolute device path such as /dev/ttyUSB2 / 请输入设备路径，如 /dev/ttyUSB2');
        return s;
      },
    });
  }
  if (driver === 'e1-pri') {
    q.push({
      key: 'dchannel',
      zh: 'E1 D 信道设备或套接字',
      en: 'E1 D-channel device or socket',
      ...(c.current.trunk.dchannel ? { default: c.current.trunk.dchannel } : {}),
      parse: (s) => {
        if (!s.startsWith('/')) throw new AnswerError('dchannel', 'an absolute path (/dev/dahdi/… or a socket) / 请输入绝对路径');
        return s;
      },
    });
  }
  q.push(
    {
      key: 'role',
      zh: '本机级别（city 市级 / province 省级 / ministry 部级）',
      en: 'Level of this box (city / province / ministry)',
      default: c.current.box.role,
      parse: (s) => {
        if (!['city', 'province', 'ministry'].includes(s)) throw new AnswerError('role', 'city, province or ministry / 请输入 city、province 或 ministry');
        return s;
      },
    },
    {
      key: 'region',
      zh: '行政区划代码（GB/T 2260，6位）',
      en: 'Region code (GB/T 2260, 6 digits)',
      // The current region while the level stays; the national code for a new ministry; otherwise asked.
      ...(role === c.current.box.role ? { default: c.current.box.region } : role === 'ministry' ? { default: nationalRegion } : {}),
      parse: (s) => {
        if (!/^[1-9]\d{5}$/.test(s)) throw new AnswerError('region', 'six digits / 请输入6位数字代码');
        if (!(c.regions.has(s) || (role === 'ministry' && s === nationalRegion))) throw new AnswerError('region', `${s} is not in the region table / 代码 ${s} 不在行政区划表中`);
        return s;
      },
    },
    {
      key: 'name',
      zh: '中心名称',
      en: 'Name of the centre',
      default: c.current.box.name,
      parse: (s) => {
        if (s.length < 1 || s.length > 100) throw new AnswerError('name', '1–100 characters / 名称须为1至100个字符');
        return s;
      },
    },
    {
      key: 'timezone',
      zh: '时区',
      en: 'Time zone',
      default: c.current.box.timezone,
      parse: (s) => {
        try {
          new Intl.DateTimeFormat('en', { timeZone: s });
        } catch {
          throw new AnswerError('timezone', 'an IANA time zone such as Asia/Shanghai / 请输入时区，如 Asia/Shanghai');
        }
        return s;
      },
    },
    { key: 'hours.open', zh: '人工服务开始时间', en: 'Agents on duty from (HH:MM)', default: c.hours.open, parse: hhmm('hours.open') },
    {
      key: 'hours.close',
      zh: '人工服务结束时间',
      en: 'Agents on duty until (HH:MM)',
      default: c.hours.close,
      parse: (s) => {
        hhmm('hours.close')(s);
        if (s <= (a['hours.open'] ?? c.hours.open)) throw new AnswerError('hours.close', 'must be after the opening time / 结束时间须晚于开始时间');
        return s;
      },
    },
    {
      key: 'hours.days',
      zh: '服务日（workdays 法定工作日 / every-day 每天）',
      en: 'Days (workdays: official working days / every-day)',
      default: c.hours.days,
      parse: (s) => {
        if (s !== 'workdays' && s !== 'every-day') throw new AnswerError('hours.days', 'workdays or every-day / 请输入 workdays 或 every-day');
        return s;
      },
    },
    {
      key: 'hotline',
      zh: '热线号码（多个用逗号分隔）',
      en: 'Hotline numbers (comma-separated)',
      default: c.current.hotline.numbers.join(','),
      parse: (s) => {
        const list = s.split(/[,，\s]+/).filter(Boolean);
        if (list.length < 1 || list.length > 16 || list.some((n) => !/^\d{3,20}$/.test(n))) throw new AnswerError('hotline', '1–16 numbers of 3–20 digits / 请输入1至16个号码，每个3至20位数字');
        return list;
      },
    },
  );
  const account = (who: 'admin' | 'supervisor', zh: string, en: string, dflt: string) => {
    const nameKey = `${who}.username` as Key;
    const name = (a[nameKey] as string | undefined) ?? dflt;
    q.push({ key: nameKey, zh: `${zh}用户名`, en: `${en} user name`, default: dflt, parse: username(nameKey) });
    const exists = c.users.has(name);
    q.push({
      key: `${who}.password` as Key,
      zh: `${zh}密码（至少10位${exists ? '；留空则不修改' : ''}）`,
      en: `${en} password (at least 10 characters${exists ? '; empty keeps it' : ''})`,
      secret: true,
      ...(exists ? { optional: true } : {}),
      parse: (s) => {
        const p = passwordProblem(s);
        if (p) throw new AnswerError(`${who}.password` as Key, `${p} / 密码过于简单或少于10位`);
        return s;
      },
    });
  };
  account('admin', '管理员', 'Admin', 'admin');
  account('supervisor', '值班长', 'Supervisor', 'supervisor');
  q.push({
    key: 'supervisor.displayName',
    zh: '值班长姓名',
    en: 'Supervisor display name',
    default: '值班长',
    parse: (s) => {
      if (s.length < 1 || s.length > 50) throw new AnswerError('supervisor.displayName', '1–50 characters / 姓名须为1至50个字符');
      return s;
    },
  });
  if (role !== 'ministry') {
    q.push(
      {
        key: 'upstream.url',
        zh: '上级地址（留空则暂不配对）',
        en: 'Upstream URL (empty: pair later)',
        optional: true,
        parse: (s) => {
          let u: URL;
          try {
            u = new URL(s);
          } catch {
            throw new AnswerError('upstream.url', 'an http or https URL / 请输入 http 或 https 地址');
          }
          if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.username || u.password) throw new AnswerError('upstream.url', 'an http or https URL without user name or password / 请输入不含用户名密码的 http 或 https 地址');
          return s.replace(/\/$/, '');
        },
      },
    );
    if (a['upstream.url']) {
      q.push({
        key: 'upstream.code',
        zh: '配对码（上级执行 edgebox enroll 得到）',
        en: 'Enrollment code (from `edgebox enroll` on the upstream)',
        parse: (s) => {
          if (!/^[A-Za-z0-9._~+/=-]{8,512}$/.test(s)) throw new AnswerError('upstream.code', 'the code printed by `edgebox enroll` / 请输入上级打印的配对码');
          return s;
        },
      });
    }
  }
  return q;
}

/** Flattens an answers file ({hours: {open}}) to question keys, refusing keys no question has. */
export function flattenAnswers(doc: unknown): Record<string, unknown> {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new AnswerError('(file)' as Key, 'the answers file must be a mapping of keys to answers / 应答文件须为键值映射');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = v2;
    else out[k] = v;
  }
  return out;
}

export const allKeys: readonly Key[] = [
  'driver', 'serial', 'dchannel', 'role', 'region', 'name', 'timezone', 'hours.open', 'hours.close', 'hours.days', 'hotline',
  'admin.username', 'admin.password', 'supervisor.username', 'supervisor.password', 'supervisor.displayName', 'upstream.url', 'upstream.code',
];

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** A file's answer as the text a person would type: a scalar, or a list of scalars joined by commas. */
function answerText(key: Key, raw: unknown): string {
  if (isScalar(raw)) return String(raw);
  if (Array.isArray(raw) && raw.every(isScalar)) return raw.map(String).join(',');
  throw new AnswerError(key, 'expected text, a number or a list of them / 应为文字、数字或其列表');
}

/** Answers from a file, checked question by question in order (so later checks see earlier answers). */
export function answersFromDoc(doc: unknown, ctx: Omit<Context, 'answers'>): Answers {
  const flat = flattenAnswers(doc);
  for (const k of Object.keys(flat)) if (!allKeys.includes(k as Key)) throw new AnswerError(k as Key, `unknown answer (known: ${allKeys.join(', ')}) / 未知的应答项`);
  const answers: Answers = {};
  const asked = new Set<Key>();
  for (;;) {
    const next = questions({ ...ctx, answers }).find((q) => !asked.has(q.key));
    if (!next) break;
    asked.add(next.key);
    const raw = flat[next.key];
    if (raw === undefined || raw === null || raw === '') {
      if (next.default !== undefined) (answers as Record<string, unknown>)[next.key] = next.parse(next.default);
      else if (!next.optional) throw new AnswerError(next.key, 'required / 必填');
      continue;
    }
    (answers as Record<string, unknown>)[next.key] = next.parse(answerText(next.key, raw));
  }
  for (const k of Object.keys(flat)) if (!asked.has(k as Key) && flat[k] !== undefined && flat[k] !== null) throw new AnswerError(k as Key, 'does not apply to the other answers (e.g. serial without the serial-at driver) / 与其他应答不符');
  return answers;
}
