// The call engine's records and live events as the API and the event stream give them, as types with no
// runtime import: the server writes them (records.ts, events.ts, acd.ts) and the web UI reads them (the desk,
// the wallboard, the ticket page), from this one file.

import type { CallKpi } from '../stats/view-types.js';

export type CallStatus = 'ivr' | 'queued' | 'ringing' | 'talking' | 'ended' | 'failed';

export interface CallRow {
  id: string;
  channel: string;
  caller: string | null;
  called: string;
  presentation: string;
  legacy: number;
  after_hours: number;
  route: string | null;
  menu_choice: string | null;
  ticket_type: string | null;
  skill: string | null;
  status: CallStatus;
  outcome: string | null;
  arrived_at: number;
  ivr_answered_at: number | null;
  queued_at: number | null;
  agent_answered_at: number | null;
  transferred_at: number | null;
  transferred_to: string | null;
  abandoned_at: number | null;
  ended_at: number | null;
  hangup_cause: string | null;
  /** Q.850 cause value where the line gave one. */
  hangup_q850: number | null;
  hangup_party: string | null;
  agent_id: number | null;
  station: string | null;
  recording_file: string | null;
  voicemail_file: string | null;
  callback_id: string | null;
  prompts: string;
}

export interface LegRow {
  id: number;
  call_id: string;
  kind: string;
  target: string | null;
  started_at: number;
  ended_at: number | null;
  outcome: string | null;
}

export interface CallView {
  call: CallRow & { promptList: string[] };
  legs: LegRow[];
  tickets: { ticket_number: string; linked_at: number; linked_by: string }[];
}

export interface CallerHistory {
  calls: Pick<CallRow, 'id' | 'arrived_at' | 'route' | 'outcome' | 'agent_id'>[];
  tickets: { number: string; type: string; status: string; subject: string; created_at: string }[];
}

export type AgentState = 'logged-out' | 'ready' | 'on-call' | 'wrap-up' | 'break';

export interface AgentSnapshot {
  agentId: number;
  name: string;
  station: string | null;
  skills: string[];
  state: AgentState;
  since: number;
  /** Call (or callback task) the agent is being offered right now, while their station rings. */
  ringing: string | null;
  callId: string | null;
  callbackId: string | null;
  /**
   * Increases with every snapshot the box makes: of two snapshots of one agent, the one with the higher `rev`
   * is the later state. A desk that gets its own state both from an answer and from the live stream keeps the
   * later one (an answer can arrive after a newer event).
   */
  rev: number;
}

export interface QueueSnapshot {
  waiting: { callId: string; kind: 'call' | 'callback'; skill: string | null; since: number; position: number }[];
  longestWaitMs: number;
}

export type LiveEvent =
  | { type: 'call.arrived'; at: number; callId: string; caller: string | null; called: string; legacy: boolean }
  | { type: 'call.routed'; at: number; callId: string; route: string; target?: string }
  | {
      type: 'call.offered';
      at: number;
      callId: string;
      agentId: number;
      caller: string | null;
      ticketType: string | null;
      history: CallerHistory;
      /** A water-distress caller the trunk could not transfer to 12395 (issue 10 C1): the desk says so. */
      distress: boolean;
      /** The trunk can transfer this call (the desk's one-key transfers); false: the agent must dial out. */
      canTransfer: boolean;
      /** The urgent ticket the box filed for this call (distress), linked to the call. */
      ticketNumber?: string;
    }
  | { type: 'call.connected'; at: number; callId: string; agentId: number }
  | { type: 'call.transferred'; at: number; callId: string; agentId: number; to: string; by: string; outcome: string }
  | { type: 'call.ended'; at: number; callId: string; outcome: string }
  | {
      type: 'callback.offered';
      at: number;
      callbackId: string;
      agentId: number;
      caller: string;
      history: CallerHistory;
      reason: 'overflow' | 'missed-call' | 'distress';
      /** The ticket filed for the missed call, when the task stands in for one. */
      ticketNumber: string | null;
    }
  | { type: 'agent.state'; at: number; agent: AgentSnapshot }
  | { type: 'queue.state'; at: number; queue: QueueSnapshot }
  | { type: 'trunk.state'; at: number; up: boolean; reason?: string };

/** GET /api/calls/kpis: call KPIs per hour or day of a range (calls/kpis.ts), and over the whole range. */
export interface CallKpiBucket extends CallKpi {
  /** Local start of the bucket: 'YYYY-MM-DD' or 'YYYY-MM-DDTHH:00'. */
  start: string;
}

export interface CallKpiReport {
  from: number;
  to: number;
  bucket: 'hour' | 'day';
  timezone: string;
  total: CallKpi;
  buckets: CallKpiBucket[];
}

// The call settings (the configuration's `calls` section, calls/config.ts validates it) and the admin page's
// view of them (GET/PUT /api/ui/calls-settings, calls/routes/settings.ts; web-ui/src/pages/admin-calls.tsx).

export type MenuAction =
  | { kind: 'distress' } // 水上遇险求救 → 12395 at once
  | { kind: 'queue'; ticketType: 'complaint' | 'inquiry' | 'suggestion' | null; skill?: string }
  | { kind: 'redirect'; service: 'railway' | 'aviation' | 'postal' | 'railway-aviation-postal' };

export interface MenuItem {
  digit: string;
  /** Prompt id spoken for this entry of the menu. */
  label: string;
  action: MenuAction;
}

export interface RedirectTarget {
  /** The national number the caller is told (and transferred to when `transfer` is on). */
  number: string;
  /** Transfer instead of only announcing (once the transition period allows it, design §1). */
  transfer: boolean;
}

export interface BusinessHours {
  /** 'HH:MM' local time, inclusive. */
  open: string;
  /** 'HH:MM' local time, exclusive. */
  close: string;
  /** Open on official working days only (holidays and 调休 from the calendar), or every day. */
  days: 'workdays' | 'every-day';
  timezone: string;
}

export interface QueueConfig {
  /** Position / expected wait announcement period, ms. */
  announceEveryMs: number;
  /** Past this wait the caller is offered a callback (1) or voicemail (2), ms. */
  maxWaitMs: number;
  /** Ring an agent's station this long before trying the next agent, ms. */
  ringTimeoutMs: number;
  /** Wrap-up (话后处理) after each call before the agent is offered another, ms. */
  wrapUpMs: number;
  /** Expected handle time used for the wait estimate until there is history, ms. */
  defaultHandleMs: number;
  /** Longest voicemail, ms. */
  voicemailMaxMs: number;
  /** Record agent conversations. */
  recordCalls: boolean;
  /**
   * Outside numbers an agent may transfer a live call to, besides the distress number and the three
   * redirect numbers (which are always allowed). Default none.
   */
  transferNumbers: string[];
}

export interface IvrConfig {
  menu: MenuItem[];
  /** Wait for a menu choice, ms. */
  digitTimeoutMs: number;
  /** Menu repeats after a timeout or an invalid digit before the call goes to an agent. */
  maxRetries: number;
  /** Water distress number (水上遇险), transferred to at once. */
  distressNumber: string;
  redirects: Record<'railway' | 'aviation' | 'postal', RedirectTarget>;
  /** Old local hotline numbers that now reach 12328: the caller hears the transition prompt first. */
  legacyNumbers: string[];
  hours: BusinessHours;
}

/** GET and PUT /api/ui/calls-settings: the settings in force over the defaults, and the prompt files. */
export interface CallsSettingsView {
  ivr: IvrConfig;
  queue: QueueConfig;
  /** The prompt files in the prompt directory (<id>.wav), sorted. */
  prompts: string[];
  /** The configuration file's own `calls` section (what was set, without the defaults). */
  file: unknown;
  /** True on a box without a call centre: the section is only read at the next start. */
  restartRequired: boolean;
}
