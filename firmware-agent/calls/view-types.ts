// The call engine's records and live events as the API and the event stream give them, as types with no
// runtime import: the server writes them (records.ts, events.ts, acd.ts) and the web UI reads them (the desk,
// the wallboard, the ticket page), from this one file.

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
