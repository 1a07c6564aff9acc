// Browser stations (issue 17 §1): an agent who goes ready "in the browser" has the station `browser/<id>`,
// and the call engine connects a queued call to it exactly as to a telephone station — through the trunk
// driver's `connectAgent` — so the ACD, call ids, legs, recordings, KPIs, wrap-up and transfers are the same.
// `withBrowserStations` puts this in front of a driver with an audio port (C6): a browser station's ring
// waits for the agent's browser to answer with its WebRTC offer (`answer`, over the agent's session), then
// the call's audio is bridged both ways between the trunk (`openAudio`: A-law frames) and the browser's peer
// (peer.ts: PCMA, so nothing is transcoded). Every other station and command goes to the driver as it is.
import type { Clock, TimerHandle } from '../../common/clock.js';
import { systemClock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import { silentLogger } from '../../common/log.js';
import type { CallAudio, CallId, ConnectOptions, ConnectResult, HangupCause, TransferOptions, TransferResult, TrunkDriver } from '../../drivers/trunk/types.js';
import { ALAW_SILENCE } from '../../drivers/media/alaw.js';
import { FRAME_BYTES, SoftphoneError, SoftphonePeer, type SoftphonePeerOptions } from './peer.js';

const prefix = 'browser/';
/** 20 ms of A-law silence: what a held caller hears. */
const silence = Buffer.alloc(FRAME_BYTES, ALAW_SILENCE);

/** The station of an agent's browser. */
export const browserStation = (agentId: number): string => `${prefix}${agentId}`;

/** The agent whose browser a station is, or undefined for a telephone station. */
export function browserAgent(station: string): number | undefined {
  if (!station.startsWith(prefix)) return undefined;
  const id = Number(station.slice(prefix.length));
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

interface Ringing {
  agentId: number;
  answering: boolean;
  finish(r: ConnectResult): void;
}

interface Bridge {
  agentId: number;
  peer: SoftphonePeer;
  audio: CallAudio;
  connected: boolean;
  /** On hold: the caller hears silence and the agent hears nothing of the caller. */
  held: boolean;
}

export interface BrowserStationsDeps {
  driver: TrunkDriver;
  clock?: Clock;
  /** The peers' options, read for each call (the settings may change while the box runs). */
  peer?: () => SoftphonePeerOptions;
  log?: Logger;
  /**
   * The browser's connection dropped during the conversation (closed tab, network): the engine decides what
   * happens to the caller. Without a handler the call stays up and the agent may answer again.
   */
  onDropped?: (callId: CallId, agentId: number) => void;
}

export class BrowserStations {
  readonly #d: BrowserStationsDeps;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #ringing = new Map<CallId, Ringing>();
  readonly #bridges = new Map<CallId, Bridge>();

  constructor(d: BrowserStationsDeps) {
    this.#d = d;
    this.#clock = d.clock ?? systemClock;
    this.#log = d.log ?? silentLogger;
    d.driver.on('hangup', (e) => {
      this.#ringing.get(e.callId)?.finish({ outcome: 'caller-gone' });
      this.release(e.callId);
    });
  }

  /** Whether the driver can bridge a call to a browser (C6). */
  get available(): boolean {
    return this.#d.driver.capabilities.audioPort && typeof this.#d.driver.openAudio === 'function';
  }

  /** The call an agent's browser is ringing for or talking on. */
  callOf(agentId: number): { callId: CallId; state: 'ringing' | 'talking'; held?: boolean } | undefined {
    for (const [callId, r] of this.#ringing) if (r.agentId === agentId) return { callId, state: 'ringing' };
    for (const [callId, b] of this.#bridges) if (b.agentId === agentId) return { callId, state: 'talking', held: b.held };
    return undefined;
  }

  /** Rings an agent's browser (the desk shows the call): settles as `connectAgent` does (ConnectResult). */
  ring(callId: CallId, agentId: number, options: ConnectOptions): Promise<ConnectResult> {
    if (!this.available) return Promise.resolve({ outcome: 'unreachable' });
    if (this.#ringing.has(callId) || this.#bridges.has(callId)) return Promise.resolve({ outcome: 'busy' });
    if (options.signal?.aborted) return Promise.resolve({ outcome: 'cancelled' });
    return new Promise<ConnectResult>((resolve) => {
      let timer: TimerHandle | undefined;
      const onAbort = () => r.finish({ outcome: 'cancelled' });
      const r: Ringing = {
        agentId,
        answering: false,
        finish: (result) => {
          if (this.#ringing.get(callId) !== r) return;
          this.#ringing.delete(callId);
          this.#clock.clearTimeout(timer);
          options.signal?.removeEventListener('abort', onAbort);
          if (result.outcome !== 'answered') this.release(callId);
          resolve(result);
        },
      };
      this.#ringing.set(callId, r);
      timer = this.#clock.setTimeout(() => r.finish({ outcome: 'no-answer' }), options.ringTimeoutMs);
      options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * The agent's browser answers the call ringing for them with its offer; returns the box's answer. The ring
   * settles `answered` once the media is up (or `unreachable` when it never comes up).
   */
  async answer(agentId: number, callId: CallId, offerSdp: string): Promise<string> {
    const r = this.#ringing.get(callId);
    if (!r || r.agentId !== agentId || r.answering) throw new SoftphoneError('softphone-not-ringing', `call ${callId} is not ringing this agent's browser`);
    r.answering = true;
    let answered: { peer: SoftphonePeer; answerSdp: string } | undefined;
    let audio: CallAudio;
    try {
      const driver = this.#d.driver;
      await driver.answer(callId);
      answered = await SoftphonePeer.answerOffer(offerSdp, this.#d.peer?.());
      audio = driver.openAudio!(callId);
    } catch (err) {
      r.answering = false;
      await answered?.peer.close();
      throw err;
    }
    const { peer, answerSdp } = answered;
    if (this.#ringing.get(callId) !== r) {
      // The caller left (or the ring ended) while the offer was answered.
      audio.close();
      await peer.close();
      throw new SoftphoneError('softphone-not-ringing', `call ${callId} ended before the browser's answer`);
    }
    const bridge: Bridge = { agentId, peer, audio, connected: false, held: false };
    this.#bridges.set(callId, bridge);
    audio.onFrame((frame) => bridge.held || peer.send(frame));
    peer.onAudio = (frame) => audio.write(bridge.held ? silence : frame);
    peer.onState = (state) => {
      if (state === 'connected' && !bridge.connected) {
        bridge.connected = true;
        r.finish({ outcome: 'answered', at: this.#clock.now() });
      } else if (state === 'failed' || state === 'closed' || state === 'disconnected') {
        if (!bridge.connected) {
          r.finish({ outcome: 'unreachable' });
        } else if (this.#bridges.get(callId) === bridge) {
          this.#log.warn({ callId, agentId, state }, 'browser station dropped during the call');
          this.release(callId);
          this.#d.onDropped?.(callId, agentId);
        }
      }
    };
    return answerSdp;
  }

  /** Hold (保持) or resume the call an agent talks on in the browser: silence both ways while held. */
  hold(callId: CallId, agentId: number, on: boolean): void {
    const b = this.#bridges.get(callId);
    if (!b || b.agentId !== agentId || !b.connected) throw new SoftphoneError('softphone-not-talking', `call ${callId} is not talking on this agent's browser`);
    b.held = on;
  }

  /** The agent hangs up in the browser: their part ends first (not a drop), then the call. */
  async hangup(callId: CallId): Promise<void> {
    this.release(callId);
    await this.#d.driver.hangup(callId);
  }

  /** Ends a browser station's part in a call (the call itself goes on with the box). */
  release(callId: CallId): void {
    const b = this.#bridges.get(callId);
    if (!b) return;
    this.#bridges.delete(callId);
    b.audio.close();
    void b.peer.close();
  }
}

/**
 * The driver with browser stations in front: `connectAgent` to a `browser/<id>` station rings that agent's
 * browser; a hang-up or an agent's transfer releases the browser first (T5, as a telephone station's leg).
 */
export function withBrowserStations(driver: TrunkDriver, stations: BrowserStations): TrunkDriver {
  const connectAgent = (callId: CallId, station: string, options: ConnectOptions): Promise<ConnectResult> => {
    const agentId = browserAgent(station);
    return agentId === undefined ? driver.connectAgent(callId, station, options) : stations.ring(callId, agentId, options);
  };
  const hangup = async (callId: CallId, cause?: HangupCause): Promise<void> => {
    stations.release(callId);
    return driver.hangup(callId, cause);
  };
  const transfer = async (callId: CallId, number: string, options?: TransferOptions): Promise<TransferResult> => {
    stations.release(callId);
    return driver.transfer(callId, number, options);
  };
  const own: Partial<Record<keyof TrunkDriver, unknown>> = { connectAgent, hangup, transfer };
  return new Proxy(driver, {
    get(target, prop) {
      if (prop in own) return own[prop as keyof TrunkDriver];
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
