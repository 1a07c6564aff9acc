/**
 * The E1/PRI span configuration: a typed schema with units, defaults and ranges, validated once and
 * frozen (style.md #9). Technician settings; the driver never writes it.
 */
import { SWITCH_TYPES, type SwitchTypeName } from './binding/constants.js';
import { E1Error } from './errors.js';

export interface E1SpanConfig {
  /**
   * D-channel: a Unix SOCK_SEQPACKET socket path the box listens on (gateways, the telco simulator),
   * or a DAHDI D-channel device (`/dev/dahdi/...`), which is opened instead of listened on.
   */
  dchannel: string;
  /** B-channel audio socket (a Unix stream socket the box listens on). Default `${dchannel}.media`. */
  media: string;
  /**
   * What carries the B-channel audio: the `media` socket, or DAHDI channel devices on the card. Default
   * DAHDI when `dchannel` is a DAHDI device and no `media` socket was given, else the socket.
   */
  bchannels: BChannelConfig;
  /** Q.931 side. The box is the user side (CPE) towards the operator's exchange. */
  side: 'cpe' | 'network';
  switchType: SwitchTypeName;
  /** B-channels in service. E1: 1–15 and 17–31 (timeslot 16 carries the D-channel). */
  channels: number[];
  /** libpri debug bitmask (PRI_DEBUG_*), 0 = off. */
  debug: number;
  /**
   * Q.921/Q.931 timers overriding libpri's defaults, by name, ms (counts for N200 …): e.g. T203 (link
   * idle poll, default 10 000), T200 (retransmission, 1 000), T309 (keep calls over a link failure).
   */
  timers: Readonly<Record<string, number>>;
  /** Worker restart backoff, ms: first delay, doubling up to max. */
  restartBackoffMs: { initial: number; max: number };
  /** A worker that lives this long resets the backoff to `initial`, ms. */
  restartResetMs: number;
  /** Give up after this many consecutive crashes (then `failed.permanent`). */
  maxRestarts: number;
  /** How long a command to the worker may take before E1_WORKER_TIMEOUT, ms. */
  commandTimeoutMs: number;
  /** Agent stations: station name → number dialled on the span. A station not listed is dialled as is. */
  stations: Record<string, string>;
  /** Calling number presented on outgoing calls (transfers, agents). */
  outgoingCaller: string;
  /** Directory with `0.wav` … `9.wav` (8 kHz) for `Prompt.say`; unset = a short pause per value. */
  sayDir?: string;
  /** Ring time before an outgoing call is given up, ms. */
  defaultRingTimeoutMs: number;
}

export type BChannelConfig =
  | { kind: 'socket' }
  | {
      kind: 'dahdi';
      /** DAHDI's generic channel device, bound to one channel per fd with DAHDI_SPECIFY. */
      device: string;
      /**
       * Global DAHDI channel number of this span's timeslot 1 (1 on the first E1 span, 32 on the second
       * …; `dahdi_scan` / /proc/dahdi shows it). Default: D-channel device /dev/dahdi/N → N − 15, else 1.
       */
      firstChannel: number;
    };

export type BChannelConfigInput = { kind: 'socket' } | { kind: 'dahdi'; device?: string; firstChannel?: number };

export const DEFAULT_DAHDI_CHANNEL_DEVICE = '/dev/dahdi/channel';

export const DEFAULT_CHANNELS: readonly number[] = [...Array.from({ length: 15 }, (_, i) => i + 1), ...Array.from({ length: 15 }, (_, i) => i + 17)];

const KEYS = new Set<keyof E1SpanConfig>([
  'dchannel', 'media', 'bchannels', 'side', 'switchType', 'channels', 'debug', 'restartBackoffMs', 'restartResetMs', 'maxRestarts',
  'commandTimeoutMs', 'stations', 'outgoingCaller', 'sayDir', 'defaultRingTimeoutMs', 'timers',
]);

export type E1SpanConfigInput = Partial<Omit<E1SpanConfig, 'bchannels'>> & { dchannel: string; bchannels?: BChannelConfigInput };

function bchannelsOf(input: E1SpanConfigInput): BChannelConfig {
  const isDahdiDchannel = input.dchannel.startsWith('/dev/dahdi/');
  const b = input.bchannels ?? (isDahdiDchannel && input.media === undefined ? { kind: 'dahdi' } : { kind: 'socket' });
  if (b.kind === 'socket') return Object.freeze({ kind: 'socket' });
  if (b.kind !== 'dahdi') throw new E1Error('E1_BAD_CONFIG', `bchannels.kind: "socket" or "dahdi", got ${String((b as { kind: unknown }).kind)}`);
  for (const k of Object.keys(b)) if (!['kind', 'device', 'firstChannel'].includes(k)) throw new E1Error('E1_BAD_CONFIG', `bchannels: unknown option "${k}"`);
  const device = b.device ?? DEFAULT_DAHDI_CHANNEL_DEVICE;
  if (typeof device !== 'string' || !device.startsWith('/')) throw new E1Error('E1_BAD_CONFIG', `bchannels.device: an absolute device path, got ${String(device)}`);
  const fixed = /^\/dev\/dahdi\/(\d+)$/.exec(input.dchannel);
  const firstChannel = b.firstChannel ?? (fixed ? Math.max(1, Number(fixed[1]) - 15) : 1);
  // DAHDI_MAX_CHANNELS is 1024 (user.h); the span's timeslot 31 must fit too.
  if (!Number.isInteger(firstChannel) || firstChannel < 1 || firstChannel + 30 > 1024) {
    throw new E1Error('E1_BAD_CONFIG', `bchannels.firstChannel: ${firstChannel} outside 1…994 (DAHDI_MAX_CHANNELS 1024)`);
  }
  return Object.freeze({ kind: 'dahdi', device, firstChannel });
}

/** Parse "1-15,17-31" into channel numbers. */
export function parseChannelList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!m) throw new E1Error('E1_BAD_CONFIG', `channels: cannot parse "${part}"`);
    const a = Number(m[1]);
    const b = m[2] ? Number(m[2]) : a;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

export function validateConfig(input: E1SpanConfigInput): Readonly<E1SpanConfig> {
  for (const k of Object.keys(input)) {
    if (!KEYS.has(k as keyof E1SpanConfig)) throw new E1Error('E1_BAD_CONFIG', `unknown option "${k}"`);
  }
  if (typeof input.dchannel !== 'string' || !input.dchannel) throw new E1Error('E1_BAD_CONFIG', 'dchannel: a socket or device path is required');
  const side = input.side ?? 'cpe';
  if (side !== 'cpe' && side !== 'network') throw new E1Error('E1_BAD_CONFIG', `side: "cpe" or "network", got ${String(side)}`);
  const switchType = input.switchType ?? 'euroisdn_e1';
  if (!(switchType in SWITCH_TYPES)) throw new E1Error('E1_BAD_CONFIG', `switchType: one of ${Object.keys(SWITCH_TYPES).join(', ')}`);
  const channels = [...new Set(input.channels ?? DEFAULT_CHANNELS)].sort((a, b) => a - b);
  for (const c of channels) {
    if (!Number.isInteger(c) || c < 1 || c > 31 || c === 16) throw new E1Error('E1_BAD_CONFIG', `channels: ${c} is not an E1 B-channel (1–15, 17–31)`);
  }
  if (channels.length === 0) throw new E1Error('E1_BAD_CONFIG', 'channels: at least one B-channel must be in service');
  const posInt = (name: string, v: number, min: number, max: number) => {
    if (!Number.isFinite(v) || v < min || v > max) throw new E1Error('E1_BAD_CONFIG', `${name}: ${v} outside ${min}…${max}`);
    return v;
  };
  const backoff = input.restartBackoffMs ?? { initial: 500, max: 30_000 };
  posInt('restartBackoffMs.initial', backoff.initial, 0, 600_000);
  posInt('restartBackoffMs.max', backoff.max, backoff.initial, 3_600_000);
  const cfg: E1SpanConfig = {
    dchannel: input.dchannel,
    media: input.media ?? `${input.dchannel}.media`,
    bchannels: bchannelsOf(input),
    side,
    switchType,
    channels,
    debug: posInt('debug', input.debug ?? 0, 0, 0xffff),
    timers: Object.freeze(Object.fromEntries(Object.entries(input.timers ?? {}).map(([k, v]) => {
      if (!/^[TN][0-9A-Z_]+$/.test(k)) throw new E1Error('E1_BAD_CONFIG', `timers: "${k}" is not a libpri timer name`);
      return [k, posInt(`timers.${k}`, v, 0, 3_600_000)];
    }))),
    restartBackoffMs: Object.freeze({ ...backoff }),
    restartResetMs: posInt('restartResetMs', input.restartResetMs ?? 60_000, 0, 86_400_000),
    maxRestarts: posInt('maxRestarts', input.maxRestarts ?? 20, 0, 1_000_000),
    commandTimeoutMs: posInt('commandTimeoutMs', input.commandTimeoutMs ?? 5_000, 100, 600_000),
    stations: Object.freeze({ ...(input.stations ?? {}) }),
    outgoingCaller: input.outgoingCaller ?? '12328',
    defaultRingTimeoutMs: posInt('defaultRingTimeoutMs', input.defaultRingTimeoutMs ?? 30_000, 1, 600_000),
    ...(input.sayDir ? { sayDir: input.sayDir } : {}),
  };
  cfg.channels = Object.freeze(channels) as number[];
  return Object.freeze(cfg);
}
