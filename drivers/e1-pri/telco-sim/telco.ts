/**
 * The telco simulator: the operator's exchange at the other end of the E1, as a libpri instance in
 * NETWORK mode (or CPE mode, `side: 'cpe'`, facing a box configured as the network side) through
 * the same binding as the box. It connects to the box's D-channel socket and
 * media socket, places calls with given caller numbers, plays audio and DTMF into the B-channel,
 * answers or refuses the box's outgoing calls (transfers to 12395, agent stations) by behaviour,
 * hangs up, drops and restores the link, and sends RESTART.
 *
 * Used by tests, the bench and `edgebox simulate --driver e1-pri`.
 */
import net from 'node:net';
import { EventEmitter, once } from 'node:events';
import { PriLink } from '../span/pri-link.js';
import type { PriEvent } from '../binding/events.js';
import { CAUSE, PRES_ALLOWED_USER_NUMBER_NOT_SCREENED, priChannel, type SwitchTypeName } from '../binding/constants.js';
import { seqpacketConnect, shutdownFd } from '../binding/libc.js';
import type { DahdiCard } from './dahdi-card.js';
import { SimLine } from './line.js';
import { setPriLogSink, type CallPtr } from '../binding/libpri.js';
import { FramePacer, RecordParser, encodeRecord } from '../media/frames.js';

export { SimLine, type LineEvents, type LineState } from './line.js';

export type IncomingBehaviour =
  | { kind: 'answer'; afterMs?: number }
  | { kind: 'busy' }
  | { kind: 'no-answer' }
  | { kind: 'reject'; cause: number }
  /**
   * Glare (Q.931 §5.2.3.1): the exchange seized the same channel for a call of its own (from
   * `caller`) at the same moment; it keeps its call and refuses the box's SETUP with cause 44.
   */
  | { kind: 'glare'; caller: string };

export interface TelcoSimOptions {
  dchannel: string;
  /** Media socket path; default `${dchannel}.media`. Pass null for signalling only. */
  media?: string | null;
  switchType?: SwitchTypeName;
  /**
   * Q.931 side of the simulated far end (default 'network', the operator's exchange). 'cpe' makes it
   * a user-side PBX for a box configured as the network side.
   */
  side?: 'cpe' | 'network';
  /** How the exchange treats the box's outgoing calls, per called number (default: answer at once). */
  behaviour?: (called: string) => IncomingBehaviour;
  /** Log sink for libpri messages. */
  log?: (msg: string) => void;
  /** libpri timers of the exchange side (see E1SpanConfig.timers). */
  timers?: Readonly<Record<string, number>>;
  /**
   * A simulated DAHDI card (dahdi-card.ts) the box's channel devices are connected to: B-channel audio
   * travels through it instead of the media socket (`media` is then ignored).
   */
  card?: DahdiCard;
  /** With a card: the D-channel is the device the box opened on the card (default: the `dchannel` socket). */
  dchannelViaCard?: boolean;
}

export interface PlaceCallOptions {
  caller: string;
  called?: string;
  channel?: number;
  /** Default true: the channel is the only one acceptable (Q.931 §4.5.13, exclusive bit). */
  exclusive?: boolean;
  presentation?: number;
}

export interface TelcoEvents {
  up: [];
  down: [];
  /** The box placed a call (transfer, agent station). */
  incoming: [SimLine];
  restartAck: [number];
  /** The exchange refused a SETUP from the box because it holds the channel (glare), with this cause. */
  refused: [{ channel: number; called: string; cause: number }];
}

export class TelcoSim extends EventEmitter<TelcoEvents & { tick: [] }> {
  private link: PriLink | undefined;
  private media: net.Socket | undefined;
  private readonly lines = new Map<CallPtr, SimLine>();
  private readonly byChannel = new Map<number, SimLine>();
  private readonly pacer: FramePacer;
  private readonly parser: RecordParser;
  private readonly timers = new Set<NodeJS.Timeout>();
  dchannelUp = false;
  readonly side: 'cpe' | 'network';

  constructor(private readonly opts: TelcoSimOptions) {
    super();
    this.side = opts.side ?? 'network';
    this.pacer = new FramePacer(() => this.tick(), (e) => this.opts.log?.(`pacer: ${String(e)}`));
    this.parser = new RecordParser((ch, f) => this.byChannel.get(ch)?.onAudio(f));
    opts.card?.on('audio', (ch, f) => this.byChannel.get(ch)?.onAudio(f));
  }

  /** Connect the D-channel (and media) to the box and wait for Q.921 to come up. */
  async connect(): Promise<void> {
    if (this.opts.log) setPriLogSink((_l, m) => this.opts.log!(m.trimEnd()));
    const fd = this.opts.card && this.opts.dchannelViaCard ? await this.opts.card.nextDchannel() : seqpacketConnect(this.opts.dchannel);
    const link = new PriLink({ fd, side: this.side, switchType: this.opts.switchType ?? 'euroisdn_e1', ...(this.opts.timers ? { timers: this.opts.timers } : {}) });
    this.link = link;
    link.on('event', (ev) => {
      if (this.link === link) this.onEvent(ev);
    });
    link.on('transportDown', () => {
      if (this.link === link) this.lose();
    });
    link.on('error', (e) => this.opts.log?.(`telco link error: ${e.message}`));
    const mediaPath = this.opts.card ? null : this.opts.media === undefined ? `${this.opts.dchannel}.media` : this.opts.media;
    if (mediaPath && (!this.media || this.media.destroyed)) {
      const s = net.connect(mediaPath);
      await once(s, 'connect');
      s.setNoDelay(true);
      s.on('data', (d: Buffer) => this.parser.push(d));
      s.on('error', () => s.destroy());
      this.media = s;
    }
    if (!this.dchannelUp) await once(this, 'up');
  }

  private lose(): void {
    const link = this.link;
    this.link = undefined;
    link?.close();
    for (const l of this.lines.values()) l.markReleased(CAUSE.NETWORK_OUT_OF_ORDER, 'telco');
    this.lines.clear();
    this.byChannel.clear();
    if (this.dchannelUp) {
      this.dchannelUp = false;
      this.emit('down');
    }
  }

  /**
   * The exchange stops answering on the D-channel (frames go unacknowledged) without closing the
   * socket: the box's Q.921 times out (T200 × N200, Q.921 §5.6) and reports the D-channel down.
   */
  freeze(): void {
    this.link?.pause();
  }
  /** The exchange answers again; Q.921 re-establishes (SABME/UA). */
  thaw(): void {
    this.link?.resume();
  }

  /** The E1 is cut: the D-channel socket is shut down under both sides. */
  dropLink(): void {
    if (this.link) shutdownFd(this.link.fd);
    this.lose();
  }

  private onEvent(ev: PriEvent): void {
    switch (ev.kind) {
      case 'dchan_up':
        this.dchannelUp = true;
        this.emit('up');
        return;
      case 'dchan_down':
        this.dchannelUp = false;
        for (const l of this.lines.values()) l.markReleased(CAUSE.NETWORK_OUT_OF_ORDER, 'telco');
        this.lines.clear();
        this.byChannel.clear();
        this.emit('down');
        return;
      case 'proceeding':
      case 'ringing':
      case 'answer': {
        const l = this.lines.get(ev.call);
        if (l) l.setState(ev.kind === 'answer' ? 'answered' : ev.kind === 'ringing' ? 'ringing' : 'proceeding');
        return;
      }
      case 'ring':
        this.onBoxCall(ev);
        return;
      case 'hangup_req': {
        this.link?.hangup(ev.call, ev.cause > 0 ? ev.cause : CAUSE.NORMAL_CLEARING);
        this.release(ev.call, ev.cause, 'box');
        return;
      }
      case 'hangup': {
        this.link?.hangup(ev.call, ev.cause > 0 ? ev.cause : CAUSE.NORMAL_CLEARING);
        this.release(ev.call, ev.cause, 'box');
        return;
      }
      case 'restart_ack':
        this.emit('restartAck', priChannel(ev.channel));
        return;
      default:
        return;
    }
  }

  private release(ptr: CallPtr, cause: number, by: 'box' | 'telco'): void {
    const l = this.lines.get(ptr);
    if (!l) return;
    this.lines.delete(ptr);
    if (this.byChannel.get(l.channel) === l) this.byChannel.delete(l.channel);
    l.markReleased(cause, by);
  }

  /** The box sent SETUP (an outgoing call for a transfer or an agent station). */
  private onBoxCall(ev: Extract<PriEvent, { kind: 'ring' }>): void {
    const link = this.link!;
    const ch = priChannel(ev.channel);
    if (this.byChannel.has(ch)) {
      // Glare: the exchange keeps its own call on the channel (Q.931 §5.2.3.1) and refuses the box's.
      link.hangup(ev.call, CAUSE.REQUESTED_CHAN_UNAVAIL);
      this.emit('refused', { channel: ch, called: ev.calledNumber, cause: CAUSE.REQUESTED_CHAN_UNAVAIL });
      return;
    }
    const b = this.opts.behaviour?.(ev.calledNumber) ?? { kind: 'answer' };
    if (b.kind === 'glare') {
      this.placeCall({ caller: b.caller, channel: ch });
      link.hangup(ev.call, CAUSE.REQUESTED_CHAN_UNAVAIL);
      this.emit('refused', { channel: ch, called: ev.calledNumber, cause: CAUSE.REQUESTED_CHAN_UNAVAIL });
      return;
    }
    const line = new SimLine(this, 'from-box', ev.call, ch, ev.callingNumber, ev.calledNumber);
    this.lines.set(ev.call, line);
    this.byChannel.set(ch, line);
    this.emit('incoming', line);
    if (line.state === 'released') return;
    // libpri (1.6) sends nothing for a hangup in the Call Present state with a DISCONNECT cause, so
    // the exchange answers SETUP with CALL PROCEEDING before clearing (as a real exchange does
    // before playing busy tone; Q.931 §5.1.5.2).
    if (b.kind === 'busy' || b.kind === 'reject') link.proceeding(ev.call, ch);
    switch (b.kind) {
      case 'busy':
        link.hangup(ev.call, CAUSE.USER_BUSY);
        this.release(ev.call, CAUSE.USER_BUSY, 'telco');
        return;
      case 'reject':
        link.hangup(ev.call, b.cause);
        this.release(ev.call, b.cause, 'telco');
        return;
      case 'no-answer':
        link.proceeding(ev.call, ch);
        link.acknowledge(ev.call, ch, true);
        line.setState('ringing');
        return;
      case 'answer': {
        link.proceeding(ev.call, ch);
        link.acknowledge(ev.call, ch, true);
        line.setState('ringing');
        const t = setTimeout(() => {
          this.timers.delete(t);
          try {
            if (line.state !== 'released') this.answerLine(line);
          } catch (e) {
            this.opts.log?.(`telco: answering ${line.called}: ${(e as Error).message}`);
          }
        }, b.afterMs ?? 0);
        this.timers.add(t);
        return;
      }
    }
  }

  /**
   * Place a call to the box (SETUP, Q.931 §3.1.14). Channel: the first free unless given, hunted
   * from the lowest up as the network side and from the highest down as the user side (the box's
   * ChannelPool hunts the other way). `exclusive` false sends the channel as preferred (§4.5.13).
   * A channel given explicitly is used even if this side has a call on it (fault injection: the
   * box must refuse it); audio on that channel stays with the call already there.
   */
  placeCall(o: PlaceCallOptions): SimLine {
    const link = this.link;
    if (!link || !this.dchannelUp) throw new Error('telco: D-channel is not up');
    let ch = o.channel;
    if (ch === undefined) {
      const order = Array.from({ length: 31 }, (_, i) => i + 1).filter((c) => c !== 16);
      if (this.side === 'cpe') order.reverse();
      ch = order.find((c) => !this.byChannel.has(c));
    }
    if (ch === undefined) throw new Error('telco: no free channel');
    const called = o.called ?? '12328';
    const ptr = link.setup({
      channel: ch, called, caller: o.caller, callerPres: o.presentation ?? PRES_ALLOWED_USER_NUMBER_NOT_SCREENED,
      ...(o.exclusive === false ? { exclusive: false } : {}),
    });
    const line = new SimLine(this, 'to-box', ptr, ch, o.caller, called);
    this.lines.set(ptr, line);
    if (!this.byChannel.has(ch)) this.byChannel.set(ch, line);
    return line;
  }

  /**
   * Glare with truly crossing SETUPs (Q.931 §5.2.3.1): the next frame the box sends (its SETUP, when
   * called just before the box dials on an idle link) makes this side send its own SETUP on
   * `channel` before it reads the box's. Each side has then sent a SETUP for the channel before
   * receiving the other's. Resolves with the exchange's line once its SETUP is sent; the box's
   * SETUP is then handled as usual (refused with cause 44 if `channel` is the one it asked for).
   */
  placeCallCrossing(o: PlaceCallOptions & { channel: number }): Promise<SimLine> {
    const link = this.link;
    if (!link || !this.dchannelUp) return Promise.reject(new Error('telco: D-channel is not up'));
    return new Promise((resolve, reject) => {
      link.beforeNextRead(() => {
        try {
          resolve(this.placeCall(o));
        } catch (e) {
          reject(e as Error);
        }
      });
    });
  }

  /** @internal */ answerLine(line: SimLine): void {
    if (line.state === 'released' || !this.link) return;
    this.link.answer(line.ptr, line.channel);
    line.setState('answered');
  }

  /** @internal */ hangupLine(line: SimLine, cause: number): void {
    if (line.state === 'released' || !this.link) return;
    this.link.hangup(line.ptr, cause);
    this.lines.delete(line.ptr);
    if (this.byChannel.get(line.channel) === line) this.byChannel.delete(line.channel);
    line.markReleased(cause, 'telco');
  }

  /** RESTART (Q.931 §5.5) of one channel, or of the whole interface with 0. */
  restart(channel = 0): void {
    if (!this.link) throw new Error('telco: no link');
    if (channel > 0) {
      const l = this.byChannel.get(channel);
      this.link.resetChannel(channel);
      if (l) {
        this.lines.delete(l.ptr);
        this.byChannel.delete(channel);
        l.markReleased(CAUSE.NORMAL_CLEARING, 'telco');
      }
    } else this.link.restartAll();
  }

  get activeLines(): SimLine[] {
    return [...this.lines.values()];
  }

  /** @internal */ wake(): void {
    this.pacer.begin();
  }

  private tick(): void {
    let any = false;
    for (const l of this.lines.values()) {
      const f = l.nextFrame();
      if (!f) continue;
      any = true;
      if (this.opts.card) this.opts.card.sendAudio(l.channel, f);
      else if (this.media && !this.media.destroyed) this.media.write(encodeRecord(l.channel, f));
    }
    this.emit('tick');
    if (!any) {
      let queued = false;
      for (const l of this.lines.values()) if (l.queued) queued = true;
      if (!queued) this.pacer.end();
    }
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.pacer.end();
    const link = this.link;
    this.link = undefined;
    link?.close();
    this.media?.destroy();
    this.media = undefined;
    for (const l of this.lines.values()) l.markReleased(CAUSE.NORMAL_CLEARING, 'telco');
    this.lines.clear();
    this.byChannel.clear();
    this.dchannelUp = false;
  }
}
