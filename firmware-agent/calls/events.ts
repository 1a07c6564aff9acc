// Live events for the web UI (served as SSE by calls/routes/events.ts). In-memory, fire-and-forget: a slow or
// failing subscriber never holds up call handling (each delivery is isolated), and nothing here is the
// record — the call records are.
import type { CallerHistory } from './records.js';

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

export class LiveEvents {
  #subs = new Set<(e: LiveEvent) => void>();
  #errors = 0;

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.#subs.add(fn);
    return () => this.#subs.delete(fn);
  }

  publish(e: LiveEvent): void {
    for (const fn of [...this.#subs]) {
      try {
        fn(e);
      } catch {
        this.#errors += 1;
      }
    }
  }

  get subscriberErrors(): number {
    return this.#errors;
  }
}
