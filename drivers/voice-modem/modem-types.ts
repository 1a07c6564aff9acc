// The voice modem facade's types (modem.ts): its line and stream states, status, events and options.
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { TransportFactory } from '../serial-at/transport.js';
import type { Compression, CompressionKind } from './codec.js';
import type { VoiceEvent } from './dle.js';
import { VoiceModemError, VoiceModemErrorCodes } from './errors.js';
import type { RingEvent } from './ringing.js';

export type StreamState = 'command' | 'rx' | 'tx' | 'duplex';
export type LinkState = 'stopped' | 'opening' | 'initialising' | 'ready' | 'lost';

export interface VoiceModemStatus {
  state: LinkState;
  port: string;
  compression: Compression | null;
  duplex: boolean;
  callerId: boolean;
  lastProblem: string | null;
  reopens: number;
}

export interface VoiceModemEvents {
  ring: RingEvent;
  /** A DLE-shielded event report (V.253 §7.3), in any stream state. */
  event: { event: VoiceEvent; at: number };
  /** Voice data from the line, decoded to 16-bit linear at 8 kHz. */
  audio: { pcm: Int16Array; at: number };
  /** The modem ended the voice stream on its own (<DLE><ETX> the box did not ask for). */
  streamEnded: { at: number };
  ready: { at: number };
  /** The port went away or the modem stopped answering; the call in flight is over. */
  lost: { reason: string; permanent: boolean; at: number };
}

export interface VoiceModemOptions {
  transport: TransportFactory;
  clock?: Clock;
  logger?: Logger;
  /** Ordinary command timeout, ms (default 3000). */
  commandTimeoutMs?: number;
  /** Health `AT` while idle, ms (default 30000). */
  healthIntervalMs?: number;
  /** Reopen backoff, doubling to `maxBackoffMs`, ms (defaults 1000 / 30000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Compressions the box may pick, in its order of preference (default all). */
  compressions?: readonly CompressionKind[];
  /** Use +VTR (full duplex) where the modem offers it (default true). */
  duplex?: boolean;
  /** `AT+VSD=<sds>,<sdi>` silence detection (V.253 §7.7) for 's'/'q' reports; default "128,50". `none`: not sent. */
  silenceDetection?: string;
  /** Extra commands at the end of each initialisation, each optional. */
  extraInit?: readonly string[];
  /** Ringing: caller-ID wait and ring gap, ms (defaults 6000 / 8000). */
  cidWaitMs?: number;
  ringGapMs?: number;
  /** In rx/duplex, no byte from the modem for this long means it stopped answering, ms (default 3000). */
  streamStallMs?: number;
  newCallId?: () => string;
  /**
   * A monotonic ms counter for the stream-stall watchdog (default performance.now): the wall clock may jump
   * (NTP) and must not make a running stream look stalled.
   */
  monotonic?: () => number;
}

/** A positive number option, or its default; anything else is a bad-option error naming it. */
export function positive(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isFinite(x) || x <= 0) throw new VoiceModemError(VoiceModemErrorCodes.BadOption, `VoiceModem: \`${name}\` must be a positive number`, { param: name });
  return x;
}
