// The box's end of an agent's browser softphone (issue 17 §2): one WebRTC peer per call, audio only, G.711
// A-law (PCMA, payload type 8) in 20 ms packets so the B-channel's bytes go to the browser and back without
// transcoding; DTLS-SRTP as WebRTC requires; host candidates on the LAN, STUN/TURN servers only when
// configured (a remote seat over a VPN).
//
// werift (pure TypeScript WebRTC, maintained, already a dependency) is loaded on the first browser call, so
// a box whose agents all use telephone stations never loads it. Signalling is one offer from the browser and
// this peer's answer, each with all its candidates (no trickle: on a LAN gathering takes milliseconds), carried
// over the agent's authenticated session by the caller of `answerOffer`.
//
// Audio from the browser goes through a jitter buffer (jitter.ts) and comes out as one 160-byte A-law frame
// every 20 ms (`onAudio`), with silence for a lost packet once playout has started; audio to the browser is
// sent as it is given (`send`, one frame per 20 ms from the B-channel's own clock).
import type * as WeriftModule from 'werift';
import { type Clock, systemClock, within } from '../../common/clock.js';
import { ALAW_SILENCE } from '../../drivers/media/alaw.js';
import { JitterBuffer, type JitterOptions } from './jitter.js';

/** One 20 ms frame of 8 kHz A-law. */
export const FRAME_BYTES = 160;
const FRAME_MS = 20;
const PCMA = 8;
const silence = Buffer.alloc(FRAME_BYTES, ALAW_SILENCE);

export interface IceServer {
  urls: string;
  username?: string;
  credential?: string;
}

export interface SoftphonePeerOptions {
  /** STUN/TURN servers for a seat beyond the LAN; none by default (host candidates only). */
  iceServers?: IceServer[];
  /** Addresses to offer as host candidates besides the interfaces' own (e.g. a VPN's). */
  hostAddresses?: string[];
  jitter?: JitterOptions;
  /**
   * No RTP from the browser for this long once connected means it is gone (a closed tab, a lost network):
   * browsers keep sending packets of silence when muted, and ICE takes much longer to notice. Default 4000 ms.
   */
  silenceTimeoutMs?: number;
  /**
   * How long answering an offer may take (the WebRTC stack's certificate, ICE gathering): past it the answer is
   * refused with `softphone-negotiation-timeout` rather than holding the agent's request. Host candidates take
   * milliseconds; the suite once saw an answer never settle on a loaded machine. Default 10 000 ms.
   */
  answerTimeoutMs?: number;
  clock?: Clock;
}

/** How long closing the WebRTC stack may take before the box stops waiting for it, ms. */
const CLOSE_TIMEOUT_MS = 2000;
/** Closes a WebRTC connection, waiting for it at most CLOSE_TIMEOUT_MS; never fails. */
function closeStack(clock: Clock, pc: WeriftModule.RTCPeerConnection): Promise<unknown> {
  return within(clock, pc.close(), CLOSE_TIMEOUT_MS, () => undefined).catch(() => undefined);
}
/** How long a refused answer's stack is given to finish before it is closed regardless, ms. */
const STACK_SETTLE_MS = 30_000;
/** The stacks of refused answers still given time to finish, each with its close (see answerOffer). */
const settling = new Set<() => Promise<unknown>>();

export type PeerState = 'new' | 'connecting' | 'connected' | 'disconnected' | 'failed' | 'closed';

export class SoftphoneError extends Error {
  constructor(
    readonly code: 'softphone-unavailable' | 'softphone-no-pcma' | 'softphone-bad-offer' | 'softphone-negotiation-timeout' | 'softphone-not-ringing' | 'softphone-not-talking',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

let werift: Promise<typeof WeriftModule> | undefined;
/** werift, imported once, on the first browser call. */
function loadWerift(): Promise<typeof WeriftModule> {
  werift ??= import('werift').catch((err: unknown) => {
    werift = undefined;
    throw new SoftphoneError('softphone-unavailable', `the browser softphone needs the npm package werift, which did not load: ${(err as Error).message}`, { cause: err });
  });
  return werift;
}

export class SoftphonePeer {
  /** Frames from the browser, one per 20 ms once playout has started. */
  onAudio: (frame: Buffer) => void = () => {};
  /** The connection's state (a drop is 'disconnected' or 'failed': the call goes back to the queue head). */
  onState: (state: PeerState) => void = () => {};
  readonly jitter: JitterBuffer<Buffer>;
  readonly #w: typeof WeriftModule;
  readonly #pc: WeriftModule.RTCPeerConnection;
  readonly #sender: WeriftModule.RTCRtpSender;
  readonly #clock: Clock;
  #seq = Math.floor(Math.random() * 0x10000);
  #timestamp = Math.floor(Math.random() * 0x1_0000_0000);
  #tick: ReturnType<Clock['setTimeout']> | undefined;
  #nextTickAt = 0;
  #closed = false;
  #state: PeerState = 'new';
  readonly #silenceTimeoutMs: number;
  #lastRtpAt = 0;

  private constructor(w: typeof WeriftModule, pc: WeriftModule.RTCPeerConnection, transceiver: WeriftModule.RTCRtpTransceiver, o: SoftphonePeerOptions) {
    this.#w = w;
    this.#pc = pc;
    this.#sender = transceiver.sender;
    this.#clock = o.clock ?? systemClock;
    this.jitter = new JitterBuffer<Buffer>(o.jitter);
    this.#silenceTimeoutMs = o.silenceTimeoutMs ?? 4000;
    transceiver.onTrack.subscribe((track) => {
      track.onReceiveRtp.subscribe((rtp) => {
        this.#lastRtpAt = this.#clock.now();
        if (rtp.header.payloadType === PCMA && rtp.payload.length > 0) this.jitter.push(rtp.header.sequenceNumber, rtp.payload);
      });
    });
    pc.connectionStateChange.subscribe((state) => this.#setState(state));
  }

  /**
   * Closes now the stacks of refused answers that are still being given time to finish: a box that stops does not
   * wait for them (an answer the stack never finishes would hold its timers and sockets for STACK_SETTLE_MS).
   */
  static async closeSettling(): Promise<void> {
    await Promise.all([...settling].map((close) => close()));
  }

  /** Answers a browser's offer: the peer, and the answer (with its candidates) to send back. */
  static async answerOffer(offerSdp: string, o: SoftphonePeerOptions = {}): Promise<{ peer: SoftphonePeer; answerSdp: string }> {
    if (typeof offerSdp !== 'string' || !offerSdp.startsWith('v=0')) throw new SoftphoneError('softphone-bad-offer', 'the offer is not an SDP description');
    if (!/^m=audio .*$/m.test(offerSdp)) throw new SoftphoneError('softphone-bad-offer', 'the offer has no audio');
    if (!/^a=rtpmap:\d+ PCMA\/8000/im.test(offerSdp)) throw new SoftphoneError('softphone-no-pcma', 'the browser does not offer G.711 A-law (PCMA)');
    const w = await loadWerift();
    const pc = new w.RTCPeerConnection({
      codecs: { audio: [new w.RTCRtpCodecParameters({ mimeType: 'audio/PCMA', clockRate: 8000, channels: 1, payloadType: PCMA })] },
      iceServers: o.iceServers ?? [],
      ...(o.hostAddresses?.length ? { iceAdditionalHostAddresses: o.hostAddresses } : {}),
    });
    const clock = o.clock ?? systemClock;
    const timeoutMs = o.answerTimeoutMs ?? 10_000;
    let answering: Promise<void> | undefined;
    try {
      const transceiver = pc.addTransceiver('audio', { direction: 'sendrecv' });
      const peer = new SoftphonePeer(w, pc, transceiver, o);
      answering = (async () => {
        await pc.setRemoteDescription({ type: 'offer', sdp: offerSdp });
        await pc.setLocalDescription(await pc.createAnswer());
        await peer.#gathered();
      })();
      await within(clock, answering, timeoutMs, () => {
        throw new SoftphoneError('softphone-negotiation-timeout', `the offer was not answered within ${timeoutMs} ms`);
      });
      return { peer, answerSdp: pc.localDescription!.sdp };
    } catch (err) {
      // The stack is closed once it has finished what it was doing (or given a while longer): closed in the
      // middle of gathering, it could open sockets after its close and hold them. The agent is answered now.
      // A box that stops closes it at once (closeSettling).
      let closing: Promise<unknown> | undefined;
      const close = () => {
        settling.delete(close);
        return (closing ??= closeStack(clock, pc));
      };
      settling.add(close);
      const giveUp = clock.setTimeout(close, STACK_SETTLE_MS);
      void (answering ?? Promise.resolve()).then(close, close).finally(() => clock.clearTimeout(giveUp));
      if (err instanceof SoftphoneError) throw err;
      throw new SoftphoneError('softphone-bad-offer', `the offer could not be answered: ${(err as Error).message}`, { cause: err });
    }
  }

  get state(): PeerState {
    return this.#state;
  }

  #setState(state: PeerState): void {
    if (state === this.#state || this.#closed) return;
    this.#state = state;
    if (state === 'connected') {
      this.#lastRtpAt = this.#clock.now();
      this.#startPlayout();
    }
    this.onState(state);
  }

  /** Sends one 20 ms A-law frame to the browser (dropped until the connection is up). */
  send(frame: Buffer): void {
    if (this.#closed || this.#state !== 'connected') return;
    const header = new this.#w.RtpHeader({ payloadType: PCMA, sequenceNumber: this.#seq, timestamp: this.#timestamp, marker: false });
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + frame.length) >>> 0;
    void this.#sender.sendRtp(new this.#w.RtpPacket(header, frame)).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#clock.clearTimeout(this.#tick);
    await closeStack(this.#clock, this.#pc);
  }

  async #gathered(): Promise<void> {
    if (this.#pc.iceGatheringState === 'complete') return;
    await new Promise<void>((resolve) => {
      const { unSubscribe } = this.#pc.iceGatheringStateChange.subscribe((s) => {
        if (s === 'complete') {
          unSubscribe();
          resolve();
        }
      });
    });
  }

  /** One frame out of the jitter buffer every 20 ms, on a schedule that does not drift. */
  #startPlayout(): void {
    if (this.#tick !== undefined || this.#closed) return;
    this.#nextTickAt = this.#clock.now() + FRAME_MS;
    const tick = () => {
      if (this.#closed) return;
      if (this.#state === 'connected' && this.#clock.now() - this.#lastRtpAt > this.#silenceTimeoutMs) this.#setState('disconnected');
      const frame = this.jitter.next();
      if (frame) this.onAudio(frame);
      else if (this.jitter.playing) this.onAudio(silence);
      this.#nextTickAt += FRAME_MS;
      // Behind by more than a few frames (the event loop stalled): catch up to now rather than burst.
      const now = this.#clock.now();
      if (now - this.#nextTickAt > 5 * FRAME_MS) this.#nextTickAt = now + FRAME_MS;
      this.#tick = this.#clock.setTimeout(tick, this.#nextTickAt - now);
    };
    this.#tick = this.#clock.setTimeout(tick, FRAME_MS);
  }
}
