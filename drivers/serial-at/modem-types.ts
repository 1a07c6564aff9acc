// The GSM modem facade's types (modem.ts): its link states, status, events and options, and the module
// families whose TTS, PCM port and file commands it knows.
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { SerialAtError, SerialAtErrorCodes } from './errors.js';
import type { IncomingSms, UndecodableSms } from './inbox.js';
import type { SmsStatusReport } from './pdu/index.js';
import type { Registration, SignalQuality } from './responses.js';
import type { TransportFactory } from './transport.js';
import type { CallEvent } from './voice.js';

export type TtsEngine = 'simcom' | 'quectel';
/** Module families with a PCM voice port: Quectel AT+QPCMV, SIMCom AT+CPCMREG. */
export type PcmFamily = 'simcom' | 'quectel';

export type LinkState = 'stopped' | 'opening' | 'initialising' | 'ready' | 'recovering' | 'resetting' | 'disconnected' | 'sim-not-ready';

export interface ModemStatus {
  state: LinkState;
  port: string;
  signal: SignalQuality | null;
  registration: Registration | null;
  /** +CPIN answer (READY, SIM PIN, …) or the error text when there is no SIM. */
  sim: string | null;
  /** ATI at initialisation: manufacturer, model, revision; null when not answered. */
  model: string | null;
  /** AT+CGSN at initialisation; null when not answered. */
  imei: string | null;
  /** AT+COPS? at initialisation and with each registration poll; null while not registered. */
  operator: string | null;
  /** Driver clock when the modem last answered anything. */
  lastAnswerAt: number | null;
  recoveries: number;
  resets: number;
  reopens: number;
  /** Sends waiting or in progress. */
  outboxDepth: number;
  lastProblem: string | null;
}

export interface ModemEvents {
  sms: IncomingSms;
  undecodable: UndecodableSms;
  statusReport: SmsStatusReport & { at: number };
  call: CallEvent;
  status: ModemStatus;
  ready: { at: number };
  /** The port went away or the modem stopped answering; calls in flight are over. */
  lost: { reason: string; at: number };
  /** The module's TTS reported its state (+CTTS / +QTTS); status 0: speech ended. */
  tts: { status: number; at: number };
  /** A file the module played into the call ended (+QPSND: 0 / +AUDIOSTATE: audio play stop). */
  modulePlayEnded: { at: number };
  /** The module's own recording stopped (+QAUDRIND / +RECSTATE). */
  moduleRecordEnded: { error: number; at: number };
}

export interface GsmModemOptions {
  transport: TransportFactory;
  clock?: Clock;
  logger?: Logger;
  /** Ordinary command timeout, ms (default 5000). */
  commandTimeoutMs?: number;
  /** AT+CMGS: the module waits for the network (TS 27.005 allows long delays); default 60000. */
  sendTimeoutMs?: number;
  /** Health poll period, ms (default 30000). */
  healthIntervalMs?: number;
  /** First reopen/re-initialise backoff, doubling up to `maxBackoffMs` (defaults 1000 / 60000). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** After AT+CFUN=1,1, wait this long for the module to restart (or for RDY), ms (default 15000). */
  resetSettleMs?: number;
  /** AT+CNMI parameters (TS 27.005 §3.4.1). Default 2,1,0,1,0: +CMTI for messages, +CDS for reports. */
  cnmi?: string;
  /** Request status reports on sends (default true). */
  statusReports?: boolean;
  /**
   * Module-specific commands sent at the end of every initialisation, each optional (a refusal is
   * logged, not fatal). E.g. `moduleInit.simcom` (AT+DDET=1) for the DTMF detector. Default none.
   */
  extraInit?: readonly string[];
  /** Service-centre number; by default the SIM's. */
  smsc?: string;
  /** Attempts for a send that fails with a transient +CMS ERROR (default 5). */
  maxSendAttempts?: number;
  /** AT+CMGS timeouts on one part before the send is given up as transient, SERIAL_AT_SEND_TIMED_OUT (default 3). */
  maxSendTimeouts?: number;
  /** Calls: wait for +CLIP after RING (default 1500 ms); silence meaning the caller gave up (default 8000 ms). */
  clipWaitMs?: number;
  ringGapMs?: number;
  /** Call ids: unique across restarts (T2); default a boot-unique prefix plus a counter. */
  newCallId?: () => string;
}

/** A positive number of ms, or its default; anything else is a bad-option error naming it. */
export function positive(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isFinite(x) || x <= 0) {
    throw new SerialAtError(SerialAtErrorCodes.BadOption, `GsmModem: \`${name}\` must be a positive number of ms`, { param: name });
  }
  return x;
}
