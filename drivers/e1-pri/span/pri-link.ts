/**
 * One libpri instance on one D-channel fd, driven the way libpri expects from a single thread:
 * `koffi.node.poll` reports the fd readable → pri_check_event reads one Q.921 frame; after every
 * libpri call the next timer deadline comes from pri_schedule_next and pri_schedule_run fires it
 * (Q.921 T200/T203, Q.931 T303/T305/T308/T309/T313 …). Events are decoded at once and emitted.
 *
 * Used by the span worker (CPE side, the box) and by the telco simulator (NETWORK side).
 */
import { EventEmitter } from 'node:events';
import { pollFd, type PollEvents, type PollHandle } from '../binding/poll.js';
import { pri, Timeval, decodeStruct, type CallPtr, type PriPtr } from '../binding/libpri.js';
import { parseEvent, type PriEvent } from '../binding/events.js';
import { PRI_CPE, PRI_NETWORK, SWITCH_TYPES, type SwitchTypeName } from '../binding/constants.js';
import { closeFd } from '../binding/libc.js';
import { E1Error } from '../errors.js';

export interface PriLinkOptions {
  fd: number;
  side: 'cpe' | 'network';
  switchType: SwitchTypeName;
  debug?: number;
  /** Close the fd when the link is closed (default true). */
  ownsFd?: boolean;
  /** Q.921/Q.931 timers by libpri name (T200, T203, N200, T303, T309 …), ms or counts. */
  timers?: Readonly<Record<string, number>>;
  /**
   * Called before and after libpri reads the fd. A DAHDI D-channel queues events (alarms) that make
   * read() fail with ELAST until DAHDI_GETEVENT takes them; this is where the span takes them.
   */
  aroundRead?: () => void;
}

export interface PriLinkEvents {
  event: [PriEvent];
  /** The transport itself failed (peer closed the socket, device error). */
  transportDown: [string];
  error: [Error];
}

export class PriLink extends EventEmitter<PriLinkEvents> {
  readonly ctrl: PriPtr;
  readonly fd: number;
  readonly side: 'cpe' | 'network';
  private readonly poller: PollHandle;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = 0;
  private closed = false;
  private paused = false;
  private beforeRead: (() => void) | undefined;
  private readonly ownsFd: boolean;
  private readonly aroundRead: (() => void) | undefined;

  constructor(opts: PriLinkOptions) {
    super();
    this.fd = opts.fd;
    this.side = opts.side;
    this.ownsFd = opts.ownsFd ?? true;
    this.aroundRead = opts.aroundRead;
    const ctrl = pri.new(opts.fd, opts.side === 'network' ? PRI_NETWORK : PRI_CPE, SWITCH_TYPES[opts.switchType]);
    if (!ctrl) throw new E1Error('E1_PRI_NEW', `fd ${opts.fd}`);
    this.ctrl = ctrl;
    if (opts.debug) pri.setDebug(ctrl, opts.debug);
    for (const [name, value] of Object.entries(opts.timers ?? {})) {
      const idx = pri.timer2idx(name);
      if (idx < 0 || pri.setTimer(ctrl, idx, value) !== 0) throw new E1Error('E1_BAD_CONFIG', `libpri timer ${name}=${value} not accepted`);
    }
    this.poller = pollFd(this.fd, { readable: true, disconnect: true }, (status, ev) => this.onPoll(status, ev));
    this.reschedule();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Freeze this side completely: no reads and no timers, as a hung exchange (telco simulator). A
   * side that kept its timers while deaf would keep polling the other (Q.921 T200 retransmissions)
   * and keep the other's T203 from ever noticing.
   */
  pause(): void {
    this.paused = true;
    this.poller.stop();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
  resume(): void {
    if (this.closed || !this.paused) return;
    this.paused = false;
    this.poller.start({ readable: true, disconnect: true }, ((status: number, ev: PollEvents) => this.onPoll(status, ev)) as unknown as (ev: PollEvents) => void);
    this.reschedule();
  }

  /**
   * Run `fn` once, when the next frame from the peer has arrived but before libpri reads it: what
   * `fn` sends crosses that frame on the wire (telco simulator: glare with truly crossing SETUPs).
   */
  beforeNextRead(fn: () => void): void {
    this.beforeRead = fn;
  }

  private onPoll(status: number, ev: PollEvents): void {
    if (this.closed) return;
    try {
      if (status < 0 || ev.disconnect) {
        this.emit('transportDown', 'peer closed the D-channel socket');
        return;
      }
      if (ev.readable) {
        const hook = this.beforeRead;
        this.beforeRead = undefined;
        hook?.();
        this.aroundRead?.();
        const p = pri.checkEvent(this.ctrl);
        if (p) this.dispatch(p);
        this.aroundRead?.();
      }
      this.reschedule();
    } catch (e) {
      this.emit('error', e as Error);
    }
  }

  private dispatch(p: bigint): void {
    const ev = parseEvent(p);
    this.emit('event', ev);
  }

  /** Re-arm the single timer from pri_schedule_next. Must run after every libpri call. */
  reschedule(): void {
    if (this.closed || this.paused) return;
    const tvp = pri.scheduleNext(this.ctrl);
    if (!tvp) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      return;
    }
    const tv = decodeStruct<{ tv_sec: number; tv_usec: number }>(tvp, Timeval);
    const due = Number(tv.tv_sec) * 1000 + Number(tv.tv_usec) / 1000;
    if (this.timer && due === this.timerDue) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerDue = due;
    // libpri's deadlines are gettimeofday() based, so compare with Date.now(), not a monotonic clock.
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, due - Date.now()));
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.closed) return;
    try {
      const p = pri.scheduleRun(this.ctrl);
      if (p) this.dispatch(p);
      this.reschedule();
    } catch (e) {
      this.emit('error', e as Error);
    }
  }

  /** Run a libpri call-control function, then re-arm the timer (the call may have started one). */
  run<T>(fn: (ctrl: PriPtr) => T): T {
    if (this.closed) throw new E1Error('E1_CLOSED', 'D-channel link closed');
    try {
      return fn(this.ctrl);
    } finally {
      this.reschedule();
    }
  }

  answer(call: CallPtr, channel: number): void {
    this.check(this.run((c) => pri.answer(c, call, channel, 0)), 'pri_answer');
  }
  proceeding(call: CallPtr, channel: number, inband = false): void {
    this.check(this.run((c) => pri.proceeding(c, call, channel, inband ? 1 : 0)), 'pri_proceeding');
  }
  /** ALERTING (Q.931 §3.1.1); info=1 adds progress indicator #8 "in-band information available". */
  acknowledge(call: CallPtr, channel: number, inband = false): void {
    this.check(this.run((c) => pri.acknowledge(c, call, channel, inband ? 1 : 0)), 'pri_acknowledge');
  }
  progress(call: CallPtr, channel: number): void {
    this.check(this.run((c) => pri.progress(c, call, channel, 1)), 'pri_progress');
  }
  needMoreInfo(call: CallPtr, channel: number): void {
    this.check(this.run((c) => pri.needMoreInfo(c, call, channel, 0)), 'pri_need_more_info');
  }
  /** DISCONNECT or RELEASE / RELEASE COMPLETE depending on the Q.931 call state (libpri decides). */
  hangup(call: CallPtr, cause: number): void {
    this.check(this.run((c) => pri.hangup(c, call, cause)), 'pri_hangup');
  }
  destroyCall(call: CallPtr): void {
    this.run((c) => pri.destroyCall(c, call));
  }
  restartAll(): void {
    this.check(this.run((c) => pri.restart(c)), 'pri_restart');
  }
  resetChannel(channel: number): void {
    this.check(this.run((c) => pri.reset(c, channel)), 'pri_reset');
  }

  /** SETUP (Q.931 §3.1.14) on an exclusive B-channel. Returns the new call handle. */
  setup(opts: { channel: number; exclusive?: boolean; called: string; caller: string; callerName?: string; callerPres?: number; plan?: number }): CallPtr {
    return this.run((c) => {
      const call = pri.newCall(c);
      if (!call) throw new E1Error('E1_PRI_CALL_FAILED', 'pri_new_call returned NULL (D-channel down?)', { transient: true });
      const sr = pri.srNew();
      if (!sr) throw new E1Error('E1_PRI_CALL_FAILED', 'pri_sr_new returned NULL');
      try {
        pri.srSetChannel(sr, opts.channel, opts.exclusive === false ? 0 : 1, 0);
        pri.srSetBearer(sr, 0 /* PRI_TRANS_CAP_SPEECH */, 0x23 /* PRI_LAYER_1_ALAW */);
        pri.srSetCalled(sr, opts.called, opts.plan ?? 0, 1);
        pri.srSetCaller(sr, opts.caller, opts.callerName ?? null, opts.plan ?? 0, opts.callerPres ?? 0);
        const r = pri.setup(c, call, sr);
        if (r) {
          pri.destroyCall(c, call);
          throw new E1Error('E1_PRI_CALL_FAILED', `pri_setup returned ${r}`, { transient: true });
        }
        return call;
      } finally {
        pri.srFree(sr);
      }
    });
  }

  private check(r: number, fn: string): void {
    if (r) throw new E1Error('E1_PRI_CALL_FAILED', `${fn} returned ${r}`);
  }

  /**
   * Stop polling and timers and close the fd. libpri 1.6 exports no destructor for `struct pri`,
   * so the control block itself is abandoned (a few KB per lost link; a reconnect storm is
   * bounded by the worker's backoff).
   */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.poller.close();
    if (this.ownsFd) closeFd(this.fd);
  }
}
