// The ACD (queue): agent states, waiting calls and callback tasks, and the matching rule.
//
// Matching rule (issue 3 §4): the entry at the head of the queue (callbacks keep the place their call had;
// a call whose agent vanished mid-ring goes back to the very head) is given the *longest-idle ready agent*
// with the needed skill. An agent being rung is reserved and offered nothing else.
//
// The ACD is synchronous and in-memory (state persisted to agent_states on each change); the call flow
// (flow.ts) does the ringing through the trunk driver and reports back with `connected`/`ringFailed`.
import type { Clock, TimerHandle } from '../../common/clock.js';
import type { Db } from '../store/db.js';
import type { AgentSnapshot, AgentState, LiveEvents, QueueSnapshot } from './events.js';
import { agentStateWrites, forgetAgentSql, savedAgents } from './acd-store.js';
import type { WriteOp } from './writer.js';

export interface Agent {
  id: number;
  name: string;
  station: string | null;
  skills: string[];
  state: AgentState;
  since: number;
  /** When the agent last became free; the longest idle is offered first. */
  idleSince: number;
  reservedFor: string | null;
  reservationAbort: AbortController | null;
  callId: string | null;
  callbackId: string | null;
  wrapTimer: TimerHandle | undefined;
}

export interface Reservation {
  agentId: number;
  station: string;
  /** Aborted when the agent logs out or goes on break while being rung. */
  signal: AbortSignal;
}

interface Entry {
  id: string; // callId or callback task id
  kind: 'call' | 'callback';
  skill: string | null;
  queuedAt: number;
  /** Re-queued after a failed ring: ahead of everyone but urgent entries. */
  head: number;
  /** A water-distress caller (or the callback standing in for one): ahead of every other entry, always. */
  urgent: boolean;
  resolve: (r: Reservation) => void;
}

export class AcdError extends Error {
  constructor(
    readonly code: 'agent-unknown' | 'agent-state-invalid' | 'station-required',
    message: string,
  ) {
    super(message);
    this.name = 'AcdError';
  }
}

// Wrap-up by hand: a ready agent (e.g. to finish the notes of a call whose wrap-up time ran out) or one on
// break may enter it; it ends like the automatic one after `queue.wrapUpMs` — or, when that is 0 (no
// automatic wrap-up), when the agent goes ready. Asking for wrap-up again while in it restarts its time.
// Never during a call: the call's end puts the agent in wrap-up.
const allowed: Record<AgentState, AgentState[]> = {
  'logged-out': ['ready', 'break'],
  ready: ['break', 'logged-out', 'wrap-up'],
  'on-call': ['logged-out'], // logging out mid-call takes effect when the call ends
  'wrap-up': ['ready', 'break', 'logged-out'],
  break: ['ready', 'logged-out', 'wrap-up'],
};

export class Acd {
  readonly agents = new Map<number, Agent>();
  #queue: Entry[] = [];
  #headSeq = 0;
  #pendingLogout = new Set<number>();
  /** Snapshots made so far: each snapshot's `rev`. */
  #snapshots = 0;
  /** Exponential moving average of handle time, for the expected-wait announcement. */
  #avgHandleMs: number;

  constructor(
    private readonly deps: {
      db: Db;
      clock: Clock;
      events: LiveEvents;
      wrapUpMs: () => number;
      defaultHandleMs: number;
      /** A callback task was matched with an agent: tell the agent. */
      onCallbackAssigned?: (callbackId: string, agent: Agent) => void;
      /** Where state writes go (the calls write-behind queue); default: written at once. */
      write?: (...ops: WriteOp[]) => void;
    },
  ) {
    this.#avgHandleMs = deps.defaultHandleMs;
    this.#restore();
  }

  /** Agents persisted by the previous run: on a call or ringing then is meaningless now → wrap-up. */
  #restore(): void {
    const now = this.deps.clock.now();
    for (const r of savedAgents(this.deps.db)) {
      const a = this.#blank(r.agent_id, r.name, now);
      a.station = r.station;
      a.skills = JSON.parse(r.skills) as string[];
      a.state = r.state === 'on-call' ? 'wrap-up' : r.state;
      a.since = r.state === 'on-call' ? now : r.since;
      a.idleSince = r.idle_since ?? now;
      this.agents.set(a.id, a);
      if (a.state === 'wrap-up') this.#armWrap(a);
    }
  }

  #blank(id: number, name: string, now: number): Agent {
    return {
      id,
      name,
      station: null,
      skills: [],
      state: 'logged-out',
      since: now,
      idleSince: now,
      reservedFor: null,
      reservationAbort: null,
      callId: null,
      callbackId: null,
      wrapTimer: undefined,
    };
  }

  // ---- agent side ----------------------------------------------------------------------------------------

  /**
   * Set an agent's state through the API. `station` and `skills` are taken when given (a station is needed
   * to become ready). Returns the new snapshot. Logging out on a call takes effect when the call ends.
   */
  setState(input: { agentId: number; name: string; state: AgentState; station?: string | null; skills?: string[]; reason?: string }): AgentSnapshot {
    const now = this.deps.clock.now();
    let a = this.agents.get(input.agentId);
    if (!a) {
      a = this.#blank(input.agentId, input.name, now);
      this.agents.set(a.id, a);
    }
    a.name = input.name;
    if (input.station !== undefined) a.station = input.station || null;
    if (input.skills) a.skills = [...new Set(input.skills)];
    if (input.state === a.state) {
      if (a.state === 'wrap-up') this.#armWrap(a, true); // more time for the notes
      this.#persist(a, input.reason ?? 'update');
      this.#publishAgent(a);
      return this.snapshot(a);
    }
    if (!allowed[a.state].includes(input.state)) {
      throw new AcdError('agent-state-invalid', `an agent cannot go from ${a.state} to ${input.state}`);
    }
    if (input.state === 'ready' && !a.station) throw new AcdError('station-required', 'set a station before going ready');
    if (a.state === 'on-call' && input.state === 'logged-out') {
      this.#pendingLogout.add(a.id);
      return this.snapshot(a);
    }
    this.#transition(a, input.state, input.reason ?? 'api', true);
    this.dispatch();
    return this.snapshot(a);
  }

  /**
   * Remove a logged-out agent from the ACD (a simulated agent after its traffic run): it no longer appears in
   * the agent list or survives a restart. Its state log is history and is kept. False if the agent is unknown
   * or not logged out.
   */
  forget(agentId: number): boolean {
    const a = this.agents.get(agentId);
    if (!a || a.state !== 'logged-out') return false;
    this.deps.clock.clearTimeout(a.wrapTimer);
    this.#pendingLogout.delete(agentId);
    this.agents.delete(agentId);
    const op: WriteOp = { sql: forgetAgentSql, params: [agentId] };
    if (this.deps.write) this.deps.write(op);
    else this.deps.db.prepare(op.sql).run(op.params);
    return true;
  }

  #transition(a: Agent, state: AgentState, reason: string, byHand = false): void {
    const now = this.deps.clock.now();
    if (a.state === 'wrap-up') this.deps.clock.clearTimeout(a.wrapTimer);
    if (a.reservedFor && state !== 'on-call') {
      // Leaving while being rung: stop ringing; the call flow re-queues the caller at the head.
      a.reservationAbort?.abort();
      a.reservedFor = null;
      a.reservationAbort = null;
    }
    if (state === 'ready' && a.state !== 'ready') a.idleSince = now;
    a.state = state;
    a.since = now;
    if (state !== 'on-call') {
      a.callId = null;
      a.callbackId = null;
    }
    if (state === 'wrap-up') this.#armWrap(a, byHand);
    this.#persist(a, reason);
    this.#publishAgent(a);
  }

  #armWrap(a: Agent, byHand = false): void {
    this.deps.clock.clearTimeout(a.wrapTimer);
    a.wrapTimer = undefined;
    if (byHand && this.deps.wrapUpMs() === 0) return; // no automatic wrap-up: the agent ends it
    a.wrapTimer = this.deps.clock.setTimeout(() => {
      if (a.state !== 'wrap-up') return;
      this.#transition(a, 'ready', 'wrap-up-ended');
      this.dispatch();
    }, this.deps.wrapUpMs());
  }

  #persist(a: Agent, reason: string): void {
    const ops = agentStateWrites(a, reason);
    if (this.deps.write) this.deps.write(...ops);
    else for (const op of ops) this.deps.db.prepare(op.sql).run(op.params);
  }

  // ---- call side -----------------------------------------------------------------------------------------

  /**
   * Put a call (or a callback task) in the queue; resolves with a reserved agent when one is matched.
   * `queuedAt` is the place in the queue (a callback keeps the time its call was queued).
   */
  enqueue(
    id: string,
    kind: 'call' | 'callback',
    skill: string | null,
    queuedAt: number,
    /** true: at the head (a call whose ring failed); 'urgent': a distress caller, ahead of every other entry. */
    atHead: boolean | 'urgent' = false,
    /** Called synchronously at the match, before the promise resolves: no window where an agent is reserved
     *  and the caller does not know it yet. */
    onMatch?: (r: Reservation) => void,
  ): Promise<Reservation> {
    this.leave(id);
    return new Promise<Reservation>((res) => {
      const resolve = (r: Reservation) => {
        onMatch?.(r);
        res(r);
      };
      this.#queue.push({ id, kind, skill, queuedAt, head: atHead ? ++this.#headSeq : 0, urgent: atHead === 'urgent', resolve });
      this.#sort();
      this.dispatch();
      this.#publishQueue();
    });
  }

  /** Remove a waiting entry (caller hung up, took the overflow menu). The pending promise never resolves. */
  leave(id: string): boolean {
    const i = this.#queue.findIndex((e) => e.id === id);
    if (i < 0) return false;
    this.#queue.splice(i, 1);
    this.#publishQueue();
    return true;
  }

  /** 1-based position of a waiting entry, or 0. */
  position(id: string): number {
    return this.#queue.findIndex((e) => e.id === id) + 1;
  }

  /** Expected wait for the entry at `position`, ms: position × average handle time ÷ staffed agents. */
  expectedWaitMs(position: number, skill: string | null): number {
    let staffed = 0;
    for (const a of this.agents.values()) {
      if (a.state !== 'logged-out' && a.state !== 'break' && this.#hasSkill(a, skill)) staffed += 1;
    }
    return Math.round((position * this.#avgHandleMs) / Math.max(1, staffed));
  }

  /** The rung agent answered: the agent is on the call. */
  connected(agentId: number, callId: string): void {
    const a = this.agents.get(agentId);
    if (!a) return;
    a.reservedFor = null;
    a.reservationAbort = null;
    this.#transition(a, 'on-call', 'answered');
    a.callId = callId;
    this.#publishAgent(a);
  }

  /**
   * Ringing the agent did not connect. `no-answer` puts the agent on break (they are not at the desk),
   * `unreachable` logs them out (the station is gone); `caller-gone`/`cancelled` leave them ready with their
   * idle time kept.
   */
  ringFailed(agentId: number, outcome: string): void {
    const a = this.agents.get(agentId);
    if (!a) return;
    const wasReserved = a.reservedFor !== null;
    a.reservedFor = null;
    a.reservationAbort = null;
    if (outcome === 'no-answer' || outcome === 'busy') this.#transition(a, 'break', `ring-${outcome}`);
    else if (outcome === 'unreachable') this.#transition(a, 'logged-out', 'station-unreachable');
    else if (wasReserved) this.#publishAgent(a);
    this.dispatch();
  }

  /** The agent's call (or callback task) ended: wrap-up, or log out if they asked to while on the call. */
  released(agentId: number, handleMs: number | null): void {
    const a = this.agents.get(agentId);
    if (!a || a.state !== 'on-call') return;
    if (handleMs !== null && handleMs >= 0) this.#avgHandleMs = Math.round(this.#avgHandleMs * 0.9 + handleMs * 0.1);
    if (this.#pendingLogout.delete(a.id)) this.#transition(a, 'logged-out', 'logout-after-call');
    else if (this.deps.wrapUpMs() > 0) this.#transition(a, 'wrap-up', 'call-ended');
    else this.#transition(a, 'ready', 'call-ended');
    this.dispatch();
  }

  /** The agent's station dropped during a call (a browser station's connection): logged out, no handle-time sample. */
  stationLost(agentId: number): void {
    const a = this.agents.get(agentId);
    if (!a || a.state !== 'on-call') return;
    this.#pendingLogout.delete(a.id);
    this.#transition(a, 'logged-out', 'station-lost');
    this.dispatch();
  }

  /** Agents on a set of calls that vanished (driver failure): released without a handle-time sample. */
  releaseCalls(callIds: Set<string>): void {
    for (const a of this.agents.values()) {
      if (a.callId && callIds.has(a.callId)) this.released(a.id, null);
      if (a.reservedFor && callIds.has(a.reservedFor)) this.ringFailed(a.id, 'caller-gone');
    }
    for (const id of callIds) this.leave(id);
  }

  /** Match waiting entries with free agents. Cheap; called after every change. */
  dispatch(): void {
    if (this.#queue.length === 0) return;
    let changed = false;
    for (let i = 0; i < this.#queue.length; ) {
      const e = this.#queue[i]!;
      const agent = this.#longestIdle(e.skill);
      if (!agent) {
        i += 1;
        continue;
      }
      this.#queue.splice(i, 1);
      changed = true;
      const ac = new AbortController();
      agent.reservedFor = e.id;
      agent.reservationAbort = ac;
      if (e.kind === 'callback') {
        agent.reservedFor = null;
        agent.reservationAbort = null;
        this.#transition(agent, 'on-call', 'callback-assigned');
        agent.callbackId = e.id;
        this.#publishAgent(agent);
        this.deps.onCallbackAssigned?.(e.id, agent);
      } else {
        this.#publishAgent(agent);
      }
      e.resolve({ agentId: agent.id, station: agent.station!, signal: ac.signal });
    }
    if (changed) this.#publishQueue();
  }

  #hasSkill(a: Agent, skill: string | null): boolean {
    return skill === null || a.skills.includes(skill);
  }

  #longestIdle(skill: string | null): Agent | undefined {
    let best: Agent | undefined;
    for (const a of this.agents.values()) {
      if (a.state !== 'ready' || a.reservedFor || !a.station || !this.#hasSkill(a, skill)) continue;
      if (!best || a.idleSince < best.idleSince || (a.idleSince === best.idleSince && a.id < best.id)) best = a;
    }
    return best;
  }

  #sort(): void {
    // Distress (urgent) entries first, whatever else was re-queued after them, in the order they arrived; then
    // re-queued (head) entries, most recent re-queue first; then by place in the queue. (An ordinary call whose
    // ring failed went ahead of a waiting distress caller before: found by the call-sequence fuzzer,
    // test/fuzz/calls.ts.)
    this.#queue.sort((x, y) => {
      if (x.urgent !== y.urgent) return x.urgent ? -1 : 1;
      if (x.urgent) return x.queuedAt - y.queuedAt;
      return y.head - x.head || x.queuedAt - y.queuedAt;
    });
  }

  // ---- views ---------------------------------------------------------------------------------------------

  snapshot(a: Agent): AgentSnapshot {
    return {
      agentId: a.id,
      name: a.name,
      station: a.station,
      skills: [...a.skills],
      state: a.state,
      since: a.since,
      ringing: a.reservedFor,
      callId: a.callId,
      callbackId: a.callbackId,
      rev: ++this.#snapshots,
    };
  }

  agentList(): AgentSnapshot[] {
    return [...this.agents.values()].map((a) => this.snapshot(a));
  }

  queueSnapshot(): QueueSnapshot {
    const now = this.deps.clock.now();
    return {
      waiting: this.#queue.map((e, i) => ({ callId: e.id, kind: e.kind, skill: e.skill, since: e.queuedAt, position: i + 1 })),
      longestWaitMs: this.#queue.reduce((m, e) => Math.max(m, now - e.queuedAt), 0),
    };
  }

  #publishAgent(a: Agent): void {
    this.deps.events.publish({ type: 'agent.state', at: this.deps.clock.now(), agent: this.snapshot(a) });
  }

  #publishQueue(): void {
    this.deps.events.publish({ type: 'queue.state', at: this.deps.clock.now(), queue: this.queueSnapshot() });
  }

  /** Stop timers (box shutdown). */
  close(): void {
    for (const a of this.agents.values()) this.deps.clock.clearTimeout(a.wrapTimer);
  }
}
