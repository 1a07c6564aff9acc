/**
 * Call control for one E1 span on top of libpri (Q.931 user side by default). Owns the D-channel
 * transport, the B-channel pool and the media hub; turns libpri events into WorkerEvents and
 * WorkerCommands into libpri calls. Runs inside the span worker process (child/worker-main.ts),
 * and can run in-process for tests of the protocol logic.
 *
 * libpri call-handle lifetime (the rule that keeps FFI pointers valid):
 *  - PRI_EVENT_HANGUP  → we call pri_hangup once, which frees the call (both Q.931 states NULL);
 *  - PRI_EVENT_HANGUP_ACK → libpri already freed it; forget the pointer;
 *  - after our own pri_hangup, libpri frees the call itself on RELEASE COMPLETE unless it reports
 *    HANGUP (then rule 1 applies). A pointer is never used after it was freed: the map from
 *    pointer to call is dropped on HANGUP/HANGUP_ACK and overwritten when libpri hands out a new call.
 */
import { randomUUID } from 'node:crypto';
import { PriLink } from './pri-link.js';
import { ChannelPool } from './channels.js';
import type { PriEvent } from '../binding/events.js';
import { CAUSE, priChannel } from '../binding/constants.js';
import { libpriVersion, setPriLogSink, type CallPtr } from '../binding/libpri.js';
import { MediaHub, type TransportFactory } from '../media/media-hub.js';
import { SocketTransport } from '../media/socket-transport.js';
import { DahdiTransport } from '../media/dahdi-transport.js';
import { DAHDI_EVENT, alarmNames, dahdiGetEvent, dahdiSpanStat } from '../binding/dahdi.js';
import { loadPromptAlaw } from '../../media/wav.js';
import type { E1SpanConfig } from '../config.js';
import { E1Error } from '../errors.js';
import type { ProbeInfo, WorkerCommand, WorkerEvent } from '../child/protocol.js';
import { DchannelTransport } from './dchannel-transport.js';
import { StatusFile } from './status-file.js';

/** Causes libpri sends as RELEASE COMPLETE when refusing a SETUP in the Call Present state. */
const RELEASE_COMPLETE_CAUSES: ReadonlySet<number> = new Set([
  CAUSE.UNALLOCATED, CAUSE.NORMAL_CIRCUIT_CONGESTION, CAUSE.REQUESTED_CHAN_UNAVAIL, CAUSE.INVALID_CALL_REFERENCE, CAUSE.IDENTIFIED_CHANNEL_NOTEXIST,
]);

type CallState = 'offered' | 'dialing' | 'proceeding' | 'ringing' | 'answered';

interface Call {
  id: string;
  ptr: CallPtr;
  channel: number;
  dir: 'in' | 'out';
  state: CallState;
  /** Outgoing: the number and caller, kept to re-dial after glare. */
  number?: string;
  caller?: string;
  /** Glare (Q.931 §5.2.3.1): our SETUP lost the channel to an incoming call; expect cause 44 and re-dial. */
  glared?: boolean;
  linked?: string;
}

export class SpanController {
  private link: PriLink | undefined;
  private dchan: 'up' | 'down' | 'waiting' = 'waiting';
  private readonly pool: ChannelPool;
  private readonly calls = new Map<string, Call>();
  private readonly byPtr = new Map<CallPtr, string>();
  /** Pointers of calls we already released (pri_hangup sent) that libpri may still report. */
  private readonly releasing = new Set<CallPtr>();
  /** Calls dropped while the D-channel was down; cleared towards the network when it returns. */
  private readonly zombies = new Set<CallPtr>();
  private readonly media: MediaHub;
  private readonly transport: DchannelTransport;
  private readonly status: StatusFile;
  private closed = false;
  /**
   * DAHDI_ALARM_* bits of the span as the card last reported them (0: none). While the span is in
   * alarm the link counts as down whatever Q.921 last said: no E1 frame, no calls.
   */
  private alarms = 0;

  constructor(private readonly cfg: Readonly<E1SpanConfig>, private readonly emitRaw: (ev: WorkerEvent) => void) {
    this.pool = new ChannelPool(cfg.channels, cfg.side);
    const b = cfg.bchannels;
    const transport: TransportFactory = b.kind === 'dahdi'
      ? (sink) => new DahdiTransport({ device: b.device, firstChannel: b.firstChannel, channels: cfg.channels }, sink)
      : (sink) => new SocketTransport(cfg.media, sink);
    this.media = new MediaHub(transport, {
      onDigit: (ch, digit) => {
        const id = this.pool.owner(ch);
        if (id && this.calls.has(id)) this.emit({ ev: 'digit', callId: id, digit, at: Date.now() });
      },
      onPlayDone: (ch, playId, outcome) => {
        const id = this.pool.owner(ch);
        if (id) this.emit({ ev: 'playDone', callId: id, playId, outcome });
      },
      onTapped: (ch, frame) => this.audioUp(ch, frame),
      onError: (e) => this.log('error', `media: ${(e as Error).message}`),
      onAlarm: (alarms) => this.onSpanAlarm(alarms),
      log: (level, msg) => this.log(level, `media: ${msg}`),
    });
    this.transport = new DchannelTransport(cfg.dchannel, (fd) => this.onFd(fd), (level, msg) => this.log(level, msg));
    this.status = new StatusFile(cfg.dchannel, () => this.probe(), (msg) => this.log('warn', msg));
    setPriLogSink((level, msg) => this.log(level === 'error' ? 'warn' : 'debug', `libpri: ${msg.trimEnd()}`));
  }

  /** Tapped calls' received frames, sent up once per event-loop turn. */
  private audioOut: [string, Uint8Array][] = [];

  private audioUp(channel: number, frame: Buffer): void {
    const id = this.pool.owner(channel);
    if (!id || !this.calls.has(id)) return;
    if (this.audioOut.length === 0) setImmediate(() => {
      const frames = this.audioOut;
      this.audioOut = [];
      this.emitRaw({ ev: 'audio', frames });
    });
    this.audioOut.push([id, frame]);
  }

  /** Frames from the box for tapped calls (the browser stations' audio). */
  audioDown(frames: [string, Uint8Array][]): void {
    for (const [id, frame] of frames) {
      const c = this.calls.get(id);
      if (c) this.media.sendFromBox(c.channel, Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength));
    }
  }

  /** Every state change the probe can see schedules a status-file write. */
  private emit(ev: WorkerEvent): void {
    this.emitRaw(ev);
    if (ev.ev === 'dchannel' || ev.ev === 'offered' || ev.ev === 'hangup' || ev.ev === 'lost' || ev.ev === 'listening') this.status.dirty();
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void {
    this.emit({ ev: 'log', level, msg });
  }

  async start(): Promise<void> {
    await this.media.open();
    this.transport.open();
    this.status.dirty();
  }

  // ---- D-channel link ---------------------------------------------------------------------------

  /** A new D-channel fd (accepted connection or opened device). One link at a time. */
  private onFd(fd: number): void {
    if (this.link) {
      this.log('warn', 'a new D-channel connection replaces the current one');
      this.dropLink('D-channel connection replaced');
    }
    this.attachLink(fd);
  }

  private attachLink(fd: number): void {
    const link = new PriLink({
      fd, side: this.cfg.side, switchType: this.cfg.switchType, debug: this.cfg.debug, timers: this.cfg.timers,
      ...(this.transport.isDahdi ? { aroundRead: () => this.takeDchannelEvents(fd) } : {}),
    });
    this.link = link;
    link.on('event', (ev) => {
      if (this.link !== link) return;
      try {
        this.onPriEvent(ev);
      } catch (e) {
        this.log('error', `handling ${ev.kind}: ${(e as Error).stack ?? e}`);
      }
    });
    link.on('transportDown', (reason) => {
      if (this.link === link) this.dropLink(reason);
    });
    link.on('error', (e) => this.log('error', `D-channel: ${e.message}`));
    this.log('info', `D-channel transport open (${this.cfg.side}, ${this.cfg.switchType})`);
  }

  /**
   * DAHDI events queued on the D-channel device (DAHDI_GETEVENT until DAHDI_EVENT_NONE): the span's
   * alarms reach the box through the D-channel even when the B-channels use the audio socket.
   */
  private takeDchannelEvents(fd: number): void {
    try {
      for (let i = 0; i < 32; i++) {
        const ev = dahdiGetEvent(fd);
        if (ev === DAHDI_EVENT.NONE) return;
        if (ev === DAHDI_EVENT.ALARM || ev === DAHDI_EVENT.NOALARM) this.onSpanAlarm(dahdiSpanStat(fd).alarms);
        else if (ev === DAHDI_EVENT.ABORT || ev === DAHDI_EVENT.BADFCS || ev === DAHDI_EVENT.OVERRUN) this.log('debug', `D-channel HDLC event ${ev}`);
        else this.log('debug', `D-channel DAHDI event ${ev}`);
      }
    } catch (e) {
      this.log('warn', `D-channel DAHDI_GETEVENT: ${(e as Error).message}`);
    }
  }

  /** The transport itself is gone: every call is lost, the libpri instance is abandoned. */
  private dropLink(reason: string): void {
    const link = this.link;
    this.link = undefined;
    link?.close();
    this.loseAll(reason);
    this.releasing.clear();
    this.zombies.clear();
    this.byPtr.clear();
    if (this.dchan !== 'waiting') {
      this.dchan = 'waiting';
      this.emit({ ev: 'dchannel', state: 'down', reason });
    }
    this.transport.linkLost();
  }

  /** Report every call in flight as lost (no Q.931 clearing possible) and free their channels. */
  private loseAll(reason: string): void {
    const ids = [...this.calls.keys()];
    for (const id of ids) this.forget(id, 'lost');
    if (ids.length) this.emit({ ev: 'lost', callIds: ids, reason, scope: 'link', at: Date.now() });
  }

  /**
   * The card's alarm state changed (DAHDI_EVENT_ALARM/NOALARM, then DAHDI_SPANSTAT). Red (no frame
   * alignment, LOS/LFA), blue (AIS) and yellow (the far end lost us, RAI) alarms all mean no usable E1:
   * every call is lost and the link is reported down with the alarm's name. The calls may still exist in
   * libpri and at the exchange; like calls lost with the data link (Q.931 §5.8.8 … the far end clears its
   * side on T309) they are cleared with cause 41 once the span and the D-channel are back.
   */
  private onSpanAlarm(alarms: number): void {
    if (alarms === this.alarms) return;
    const was = this.alarms;
    this.alarms = alarms;
    if (alarms && !was) {
      const reason = `span alarm ${alarmNames(alarms)} (DAHDI)`;
      this.log('warn', reason);
      for (const c of this.calls.values()) this.zombies.add(c.ptr);
      this.loseAll(reason);
      this.emit({ ev: 'dchannel', state: 'down', reason });
      return;
    }
    if (alarms) {
      this.log('warn', `span alarm now ${alarmNames(alarms)} (DAHDI)`);
      return;
    }
    this.log('info', 'span alarm cleared (DAHDI)');
    if (this.dchan === 'up') {
      for (const ptr of this.zombies) this.safeHangup(ptr, CAUSE.NORMAL_TEMPORARY_FAILURE);
      this.zombies.clear();
      this.emit({ ev: 'dchannel', state: 'up' });
    }
    // Otherwise Q.921 is not up yet: dchan_up reports the link up and clears the zombies.
  }

  // ---- libpri events ---------------------------------------------------------------------------

  private onPriEvent(ev: PriEvent): void {
    switch (ev.kind) {
      case 'dchan_up':
        this.dchan = 'up';
        if (this.alarms) return; // reported up when the alarm clears
        // Calls that were lost while the link was down may still exist at the far end: clear them
        // (Q.931 §5.8.8: after data-link failure, calls not in the active state are cleared).
        for (const ptr of this.zombies) this.safeHangup(ptr, CAUSE.NORMAL_TEMPORARY_FAILURE);
        this.zombies.clear();
        this.emit({ ev: 'dchannel', state: 'up' });
        return;
      case 'dchan_down':
        this.dchan = 'down';
        for (const c of this.calls.values()) this.zombies.add(c.ptr);
        this.loseAll('D-channel down (Q.921 link lost)');
        if (!this.alarms) this.emit({ ev: 'dchannel', state: 'down', reason: 'Q.921 data link released' });
        return;
      case 'ring':
        this.onRing(ev);
        return;
      case 'proceeding':
      case 'ringing':
      case 'answer': {
        const c = this.callOf(ev.call);
        if (!c || c.dir !== 'out') return;
        const stage = ev.kind === 'answer' ? 'answered' : ev.kind === 'ringing' ? 'ringing' : 'proceeding';
        if (c.glared && ev.kind !== 'proceeding') c.glared = false;
        c.state = stage;
        this.emit({ ev: 'progress', callId: c.id, stage });
        return;
      }
      case 'hangup_req': {
        // DISCONNECT received (Q.931 §5.3.4): answer with RELEASE through pri_hangup.
        const c = this.callOf(ev.call);
        if (this.releasing.has(ev.call)) return;
        this.zombies.delete(ev.call);
        this.safeHangup(ev.call, ev.cause > 0 ? ev.cause : CAUSE.NORMAL_CLEARING);
        this.releasing.add(ev.call);
        if (c) this.remoteEnded(c, ev.cause);
        return;
      }
      case 'hangup': {
        // RELEASE / RELEASE COMPLETE (Q.931 §5.3): the call is over; pri_hangup frees it.
        const c = this.callOf(ev.call);
        this.zombies.delete(ev.call);
        this.releasing.delete(ev.call);
        this.byPtr.delete(ev.call);
        if (c && c.dir === 'out' && c.glared && (ev.cause === CAUSE.REQUESTED_CHAN_UNAVAIL || ev.cause === CAUSE.NORMAL_CIRCUIT_CONGESTION)) {
          this.safeHangup(ev.call, ev.cause);
          this.redialAfterGlare(c);
          return;
        }
        this.safeHangup(ev.call, ev.cause > 0 ? ev.cause : CAUSE.NORMAL_CLEARING);
        if (c) this.remoteEnded(c, ev.cause);
        return;
      }
      case 'hangup_ack':
        this.releasing.delete(ev.call);
        this.byPtr.delete(ev.call);
        return;
      case 'restart': {
        // RESTART (Q.931 §5.5): the far end returned the channel(s) to idle; calls on them are gone.
        const ch = priChannel(ev.channel);
        const ids = [...this.calls.values()].filter((c) => ch <= 0 || c.channel === ch).map((c) => c.id);
        for (const id of ids) this.forget(id, 'lost');
        if (ids.length) this.emit({ ev: 'lost', callIds: ids, reason: `RESTART of channel ${ch <= 0 ? 'all' : ch}`, scope: 'channel', at: Date.now() });
        return;
      }
      case 'restart_ack':
        this.log('info', `RESTART ACKNOWLEDGE for channel ${priChannel(ev.channel)}`);
        return;
      case 'config_err':
        this.log('error', `libpri configuration error: ${ev.message}`);
        return;
      default:
        return;
    }
  }

  private onRing(ev: Extract<PriEvent, { kind: 'ring' }>): void {
    const link = this.link!;
    if (this.alarms) {
      // No B-channel can carry the call while the span is in alarm: no circuit available (Q.850 #34).
      this.reject(ev.call, CAUSE.NORMAL_CIRCUIT_CONGESTION);
      return;
    }
    let ch = priChannel(ev.channel);
    const owner = ch > 0 ? this.pool.owner(ch) : undefined;
    if (owner) {
      const other = this.calls.get(owner);
      if (this.cfg.side === 'cpe' && other && other.dir === 'out' && other.state === 'dialing') {
        // Glare: as the user side we yield the channel to the network's call (Q.931 §5.2.3.1);
        // the network clears our SETUP with cause 44 and we re-dial on another channel.
        other.glared = true;
        this.pool.release(ch, other.id);
        this.media.detach(ch);
        this.log('info', `glare on channel ${ch}: yielding to the incoming call`);
      } else if (!ev.flexible) {
        this.reject(ev.call, CAUSE.REQUESTED_CHAN_UNAVAIL);
        return;
      } else ch = -1;
    }
    if (ch > 0 && !this.pool.isInService(ch)) {
      if (!ev.flexible) {
        // Q.850 #82: "a request to use a channel not activated on the interface". Not #6: libpri
        // sends nothing for 6 in the Call Present state (see reject()), so the exchange would only
        // give up after T303 twice with #18.
        this.reject(ev.call, CAUSE.IDENTIFIED_CHANNEL_NOTEXIST);
        return;
      }
      ch = -1;
    }
    if (ch <= 0) {
      const free = this.pool.hunt();
      if (free === undefined) {
        this.reject(ev.call, CAUSE.NORMAL_CIRCUIT_CONGESTION);
        return;
      }
      ch = free;
    }
    const id = randomUUID();
    const call: Call = { id, ptr: ev.call, channel: ch, dir: 'in', state: 'offered' };
    this.calls.set(id, call);
    this.byPtr.set(ev.call, id);
    this.pool.take(ch, id);
    this.media.attach(ch);
    // CALL PROCEEDING at once (Q.931 §5.2.5.2) so the network's T303 never fires while the IVR decides.
    link.proceeding(ev.call, ch, false);
    this.emit({
      ev: 'offered', callId: id, channel: ch, caller: ev.callingNumber, called: ev.calledNumber,
      presentation: ev.callingPres, callerPlan: ev.callingPlan, at: Date.now(),
    });
  }

  /**
   * Refuse a SETUP we have not answered (Call Present). libpri 1.6 only sends something in this state
   * for the causes it answers with RELEASE COMPLETE (1, 34, 44, 81, 82; Q.931 §5.2.3.1, §5.3.2); for
   * any other cause it changes state silently, because the call is not "alive" until CALL PROCEEDING.
   */
  private reject(ptr: CallPtr, cause: number): void {
    if (!RELEASE_COMPLETE_CAUSES.has(cause)) throw new Error(`reject: libpri would send nothing for cause ${cause}`);
    this.log('warn', `rejecting SETUP with cause ${cause}`);
    this.safeHangup(ptr, cause);
    this.releasing.add(ptr);
  }

  private redialAfterGlare(c: Call): void {
    const ch = this.pool.hunt();
    if (ch === undefined || !this.link || this.dchan !== 'up') {
      this.remoteEnded(c, CAUSE.NORMAL_CIRCUIT_CONGESTION);
      return;
    }
    c.glared = false;
    c.channel = ch;
    c.state = 'dialing';
    c.ptr = this.link.setup({ channel: ch, called: c.number!, caller: c.caller! });
    this.byPtr.set(c.ptr, c.id);
    this.pool.take(ch, c.id);
    this.media.attach(ch);
    this.log('info', `re-dialled after glare on channel ${ch}`);
  }

  private remoteEnded(c: Call, cause: number): void {
    this.forget(c.id, 'remote');
    this.emit({ ev: 'hangup', callId: c.id, cause, by: 'remote', at: Date.now() });
    this.releaseLinked(c);
  }

  private releaseLinked(c: Call): void {
    if (!c.linked) return;
    const other = this.calls.get(c.linked);
    if (other) this.localHangup(other, CAUSE.NORMAL_CLEARING);
  }

  private localHangup(c: Call, cause: number): void {
    this.safeHangup(c.ptr, cause);
    this.releasing.add(c.ptr);
    this.forget(c.id, 'local');
    this.emit({ ev: 'hangup', callId: c.id, cause, by: 'local', at: Date.now() });
    this.releaseLinked(c);
  }

  /** Drop a call from the tables, free its channel and close its media. */
  private forget(id: string, how: 'remote' | 'local' | 'lost'): void {
    const c = this.calls.get(id);
    if (!c) return;
    this.calls.delete(id);
    if (how === 'lost') this.byPtr.delete(c.ptr);
    if (c.glared) return; // its channel already belongs to another call
    this.pool.release(c.channel, id);
    for (const r of this.media.detach(c.channel)) {
      this.emit({ ev: 'recordDone', callId: id, recId: r.recId, durationMs: r.durationMs, outcome: 'gone', ...(r.error ? { error: r.error } : {}) });
    }
  }

  private safeHangup(ptr: CallPtr, cause: number): void {
    try {
      this.link?.hangup(ptr, cause);
    } catch (e) {
      this.log('warn', `pri_hangup: ${(e as Error).message}`);
    }
  }

  private callOf(ptr: CallPtr): Call | undefined {
    const id = this.byPtr.get(ptr);
    return id ? this.calls.get(id) : undefined;
  }

  private need(callId: string): Call {
    const c = this.calls.get(callId);
    if (!c) throw new E1Error('E1_UNKNOWN_CALL', callId);
    return c;
  }

  private linkUp(): PriLink {
    if (this.alarms) throw new E1Error('E1_DCHAN_DOWN', `span alarm ${alarmNames(this.alarms)}`);
    if (!this.link || this.dchan !== 'up') throw new E1Error('E1_DCHAN_DOWN', this.dchan);
    return this.link;
  }

  // ---- commands ---------------------------------------------------------------------------------

  async handle(cmd: WorkerCommand): Promise<unknown> {
    switch (cmd.op) {
      case 'init':
        return undefined;
      case 'ring': {
        const c = this.need(cmd.callId);
        if (c.dir !== 'in' || c.state !== 'offered') return undefined;
        // ALERTING with progress indicator #8 (Q.931 §4.5.23): in-band tones/announcements follow.
        this.linkUp().acknowledge(c.ptr, c.channel, true);
        c.state = 'ringing';
        return undefined;
      }
      case 'answer': {
        const c = this.need(cmd.callId);
        if (c.dir !== 'in') throw new E1Error('E1_CALL_STATE', 'answer on an outgoing call');
        if (c.state === 'answered') return undefined;
        this.linkUp().answer(c.ptr, c.channel); // CONNECT (Q.931 §5.2.8)
        c.state = 'answered';
        return undefined;
      }
      case 'hangup': {
        const c = this.calls.get(cmd.callId);
        if (c) this.localHangup(c, cmd.cause);
        return undefined;
      }
      case 'dial': {
        const link = this.linkUp();
        const ch = this.pool.hunt();
        if (ch === undefined) throw new E1Error('E1_NO_CHANNEL', 'all B-channels busy', { transient: true });
        const id = randomUUID();
        const ptr = link.setup({ channel: ch, called: cmd.number, caller: cmd.caller, callerPres: cmd.callerPres ?? 0 });
        const call: Call = { id, ptr, channel: ch, dir: 'out', state: 'dialing', number: cmd.number, caller: cmd.caller };
        this.calls.set(id, call);
        this.byPtr.set(ptr, id);
        this.pool.take(ch, id);
        this.media.attach(ch);
        return { callId: id, channel: ch };
      }
      case 'tap': {
        const c = this.need(cmd.callId);
        this.media.tap(c.channel, cmd.on);
        return undefined;
      }
      case 'bridge': {
        const a = this.need(cmd.a);
        const b = this.need(cmd.b);
        this.media.bridge(a.channel, b.channel);
        return undefined;
      }
      case 'link': {
        const a = this.need(cmd.a);
        const b = this.need(cmd.b);
        a.linked = b.id;
        b.linked = a.id;
        return undefined;
      }
      case 'play': {
        const c = this.need(cmd.callId);
        const parts: Buffer[] = [];
        const errors: string[] = [];
        for (const f of cmd.files) {
          try {
            parts.push(await loadPromptAlaw(f));
          } catch (e) {
            errors.push((e as Error).message);
          }
        }
        if (!parts.length) throw new E1Error('E1_MEDIA', errors.join('; ') || 'nothing to play');
        if (!this.calls.has(c.id)) throw new E1Error('E1_UNKNOWN_CALL', c.id);
        this.media.play(c.channel, cmd.playId, Buffer.concat(parts));
        return { skipped: errors };
      }
      case 'stopPlay': {
        const c = this.calls.get(cmd.callId);
        if (c) this.media.stopPlay(c.channel, cmd.playId);
        return undefined;
      }
      case 'record': {
        const c = this.need(cmd.callId);
        this.media.record(c.channel, cmd.recId, cmd.file, cmd.mix);
        return undefined;
      }
      case 'stopRecord': {
        const c = this.need(cmd.callId);
        const r = this.media.stopRecord(c.channel, cmd.recId);
        if (r?.error) throw new E1Error('E1_MEDIA', r.error);
        return { durationMs: r?.durationMs ?? 0 };
      }
      case 'restart': {
        const link = this.linkUp();
        if (cmd.channel > 0) link.resetChannel(cmd.channel);
        else link.restartAll();
        return undefined;
      }
      case 'probe':
        return this.probe();
      case 'shutdown':
        this.close();
        return undefined;
    }
  }

  probe(): ProbeInfo {
    return {
      libpriVersion: libpriVersion(),
      dchannel: this.alarms ? 'down' : this.dchan,
      alarms: alarmNames(this.alarms),
      bchannels: this.cfg.bchannels.kind,
      side: this.cfg.side,
      switchType: this.cfg.switchType,
      channelsInService: this.pool.inServiceList(),
      channelsInUse: this.pool.inUse(),
      calls: this.calls.size,
      mediaConnected: this.media.connected,
      pid: process.pid,
      cpu: process.cpuUsage(),
    };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.status.close();
    const link = this.link;
    this.link = undefined;
    link?.close();
    this.transport.close();
    this.media.close();
  }
}
