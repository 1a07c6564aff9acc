// What a caller leaves when no agent takes the call (design §5: an after-hours caller always leaves a
// ticket): a callback task that keeps their place, voicemail that becomes a ticket, or — on a trunk that
// cannot record (C2), or for a caller gone before the recording started — the missed call itself filed as a
// ticket with a callback task and an SMS of its number. Also the urgent ticket of a distress call the box
// could not transfer. The call's flow (flow.ts) decides when; this module writes each of them through before
// the caller is told.
import type { CallbackReason } from './callbacks.js';
import type { CallContext, CallVoice, FlowDeps } from './context.js';
import { nextOpening } from './hours.js';
import { recordingFile } from './records.js';

export class Unanswered {
  constructor(
    private readonly d: FlowDeps,
    private readonly ctx: CallContext,
    private readonly voice: CallVoice,
  ) {}

  /** The overflow offer: 1 a callback (for a caller with a number), 2 voicemail, nothing: keep waiting. */
  async overflow(): Promise<'callback' | 'voicemail' | 'wait' | 'gone'> {
    if (!(await this.voice.play('queue.overflow', true))) return 'gone';
    const c = await this.d.driver.collectDigits(this.ctx.offered.callId, {
      max: 1,
      firstDigitTimeoutMs: this.d.config.ivr.digitTimeoutMs,
      signal: this.ctx.ac.signal,
    });
    if (this.ctx.ended || c.outcome === 'caller-gone' || c.outcome === 'cancelled') return 'gone';
    if (c.digits === '1') return this.ctx.offered.caller ? 'callback' : 'voicemail';
    if (c.digits === '2') return 'voicemail';
    return 'wait';
  }

  /** A callback request: a task that keeps the caller's place in the queue. */
  async callback(skill: string | null): Promise<void> {
    this.voice.routed('callback');
    this.callbackTask(skill, 'overflow', null);
    await this.voice.play('callback.confirmed');
    return this.voice.hangup();
  }

  /** Writes a callback task through (before the caller is told) and keeps the caller's place in the queue. */
  callbackTask(skill: string | null, reason: CallbackReason, dueAt: number | null): void {
    const { clock, records } = this.d;
    const id = this.d.newId();
    const now = clock.now();
    this.ctx.callbackId = id;
    this.d.callbacks.create({
      id,
      callId: this.ctx.offered.callId,
      caller: this.ctx.offered.caller!,
      skill,
      ticketType: this.ctx.ticketType,
      queuedAt: this.ctx.queuedAt ?? now,
      requestedAt: now,
      dueAt,
      reason,
      ticketNumber: this.ctx.boxTicket ?? null,
    });
    records.update(this.ctx.offered.callId, { callback_id: id });
    // After the hang-up the record is closed: no open leg is left behind it.
    if (!this.ctx.ended) records.legStart(this.ctx.offered.callId, 'callback', id, now);
  }

  /**
   * Voicemail that becomes a ticket (after hours, or overflow). On a trunk that cannot record (C2), and for a
   * caller who hangs up before the recording starts, the missed call itself becomes the ticket.
   */
  async voicemail(why: 'closed' | 'overflow'): Promise<void> {
    const { clock, records, driver, config } = this.d;
    if (!driver.capabilities.record) return this.missedCall(why);
    if (!(await this.voice.play(why === 'closed' ? 'closed' : 'voicemail.start'))) return this.missedCall(why, true);
    const file = recordingFile(config.recordingsDir, 'vm', this.ctx.offered.callId);
    this.ctx.voicemailFile = file;
    records.update(this.ctx.offered.callId, { voicemail_file: file });
    const leg = records.legStart(this.ctx.offered.callId, 'voicemail', file, clock.now());
    let r: Awaited<ReturnType<typeof driver.record>>;
    try {
      r = await driver.record(this.ctx.offered.callId, {
        file,
        maxMs: config.queue.voicemailMaxMs,
        stopDigits: '#',
        signal: this.ctx.ac.signal,
      });
    } catch (err) {
      // The recording is lost (a module that refused to record, or whose file could not be fetched): the missed
      // call becomes the ticket instead (C2), so the contact is never lost.
      records.legEnd(leg, clock.now(), 'failed');
      this.d.log.warn({ err, callId: this.ctx.offered.callId }, 'voicemail not recorded: the missed call is filed instead');
      this.ctx.voicemailFile = undefined;
      records.update(this.ctx.offered.callId, { voicemail_file: null });
      return this.missedCall(why, this.ctx.ended);
    }
    records.legEnd(leg, clock.now(), r.outcome);
    this.#voicemailTicket(r.durationMs, why);
    if (this.ctx.ended) return;
    await this.voice.play('voicemail.saved');
    return this.voice.hangup();
  }

  /**
   * A missed call filed as a ticket (number, time, menu choice) before the caller is told anything, with a
   * callback task — due at the next working day's opening after hours — and an SMS with the ticket number
   * where the box has an SMS channel. `gone`: the caller already hung up; nothing is played.
   */
  async missedCall(why: 'closed' | 'overflow', gone = false): Promise<void> {
    const { config, calendar, clock } = this.d;
    this.voice.routed('missed-call', why);
    const number = this.fileTicket(why, false);
    const caller = this.ctx.offered.caller;
    if (caller) {
      const dueAt = why === 'closed' ? nextOpening(clock.now(), config.ivr.hours, calendar) : null;
      this.callbackTask(this.ctx.skill ?? null, 'missed-call', dueAt);
      if (number && this.d.sms) {
        const when = why === 'closed' ? '下一个工作日' : '尽快';
        try {
          // One UCS2 part (70 characters), so the number never straddles two parts.
          this.d.sms(caller, `【12328】来电已登记，工单号 ${number}，将于${when}回电。`, number);
        } catch (err) {
          this.d.log.warn({ err, callId: this.ctx.offered.callId }, 'missed-call SMS could not be queued');
        }
      }
    }
    if (gone || this.ctx.ended) return;
    if (why === 'closed' && !(await this.voice.play('closed.missed'))) return;
    await this.voice.play(caller ? 'missed.callback' : 'missed.noNumber');
    return this.voice.hangup();
  }

  /**
   * A ticket the box files for this call itself: a missed call (after hours or overflow, no recording) or a
   * distress call it could not transfer (urgent). Once per call; null when the box has no ticket service or
   * the store refused (the call record and its callback task remain, and the log says why).
   */
  fileTicket(why: 'closed' | 'overflow' | 'distress', urgent: boolean): string | null {
    if (this.ctx.boxTicket) return this.ctx.boxTicket;
    if (!this.d.tickets) return null;
    const o = this.ctx.offered;
    const choice = this.ctx.menuChoice ? `，菜单选择 ${this.ctx.menuChoice}` : '';
    const subject = why === 'distress' ? '水上遇险求救来电（未能转接 12395）' : why === 'closed' ? '非工作时间未接来电' : '坐席繁忙未接来电';
    try {
      const t = this.d.tickets.create({
        type: why === 'distress' ? 'complaint' : (this.ctx.ticketType ?? 'inquiry'),
        subject,
        description:
          `来电 ${o.caller ?? '号码未显示'} 于 ${localTime(o.at, this.d.config.ivr.hours.timezone)} 呼入 ${o.called}${choice}。` +
          (why === 'distress' ? `已提示来电人拨打 ${this.d.config.ivr.distressNumber}，并优先转人工。` : '线路无法录音，未留言，需回电。') +
          `呼叫编号：${o.callId}。`,
        callerPhone: o.caller,
        callId: o.callId,
        ...(urgent ? { urgent: true } : {}),
      });
      this.ctx.boxTicket = t.number;
      this.d.records.linkTicket(o.callId, t.number, 'ivr', this.d.clock.now());
      return t.number;
    } catch (err) {
      this.d.log.error({ err, callId: o.callId }, 'the ticket for a missed or distress call could not be created');
      return null;
    }
  }

  #voicemailTicket(durationMs: number, why: 'closed' | 'overflow'): void {
    if (!this.d.tickets) return;
    const o = this.ctx.offered;
    try {
      const t = this.d.tickets.create({
        type: this.ctx.ticketType ?? 'inquiry',
        subject: why === 'closed' ? '非工作时间电话留言' : '坐席繁忙电话留言',
        description:
          `来电 ${o.caller ?? '号码未显示'} 于 ${localTime(o.at, this.d.config.ivr.hours.timezone)} 留言，时长 ${Math.round(durationMs / 1000)} 秒。` +
          `留言录音可在本工单的通话记录中播放。呼叫编号：${o.callId}。`,
        callerPhone: o.caller,
        callId: o.callId,
      });
      this.d.records.linkTicket(o.callId, t.number, 'ivr', this.d.clock.now());
    } catch (err) {
      // The recording and the call record remain; the supervisor's voicemail list shows it without a ticket.
      this.d.log.error({ err, callId: o.callId }, 'voicemail ticket could not be created');
    }
  }
}

/** 'YYYY-MM-DD HH:mm' in the centre's time zone, for ticket text a person reads. */
function localTime(at: number, timezone: string): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: timezone, dateStyle: 'short', timeStyle: 'short' }).format(new Date(at));
}
