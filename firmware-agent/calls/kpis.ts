// Call KPIs from the call records (design §4, issue 3 §7), per hour or per day in the box's time zone:
//
// - 10秒接通率 (answered within 10 s): calls answered by an agent within 10 s of entering the queue
//   (转人工), over all calls that entered the queue.
// - abandonment rate: calls that entered the queue and whose caller hung up before an agent answered, over
//   calls that entered the queue. (Callbacks and voicemails taken at the overflow are not abandoned.)
// - average speed of answer (ASA): mean of queue entry → agent answer, over answered calls.
// - average handle time (AHT): mean time agents spent on the call, over answered calls: from the agent's
//   answer until the agent is released — the call's end, or the agent's transfer of the caller to an
//   outside number (the agent leg closes then; the caller's time with 12306 is not the agent's). A call
//   answered again after a failed transfer adds both agents' legs. Wrap-up is reported apart in agent state
//   history. Records without agent legs fall back to answer → call end.
// Calls routed by the IVR alone (distress, railway/aviation/postal, after-hours voicemail) count as offered
// but not as queued, so routing rules never flatter or spoil the agent KPIs.
import type { Db } from '../store/db.js';
import type { CallKpi as Kpi } from '../stats/view-types.js';
import type { CallKpiReport as KpiReport } from './view-types.js';

export type { CallKpi as Kpi } from '../stats/view-types.js';
export type { CallKpiBucket as KpiBucket, CallKpiReport as KpiReport } from './view-types.js';

interface Row {
  arrived_at: number;
  queued_at: number | null;
  agent_answered_at: number | null;
  ended_at: number | null;
  outcome: string | null;
  route: string | null;
  status: string;
  /** Agent legs of the call, those still open, and the summed length of the closed ones (ms). */
  agent_legs: number;
  agent_open: number;
  agent_ms: number | null;
}

// The agent legs give the handle time (see the header); call_legs_call indexes them by call.
const columns = `arrived_at, queued_at, agent_answered_at, ended_at, outcome, route, status,
  (SELECT COUNT(*) FROM call_legs l WHERE l.call_id = calls.id AND l.kind = 'agent') AS agent_legs,
  (SELECT COUNT(*) FROM call_legs l WHERE l.call_id = calls.id AND l.kind = 'agent' AND l.ended_at IS NULL) AS agent_open,
  (SELECT SUM(l.ended_at - l.started_at) FROM call_legs l WHERE l.call_id = calls.id AND l.kind = 'agent' AND l.ended_at IS NOT NULL) AS agent_ms`;

class Acc {
  k: Kpi = {
    offered: 0,
    queued: 0,
    answered: 0,
    answeredWithin10s: 0,
    answeredWithin10sRate: null,
    abandoned: 0,
    abandonRate: null,
    asaMs: null,
    ahtMs: null,
    transferred: 0,
    voicemail: 0,
    callback: 0,
    failed: 0,
    routes: {},
  };
  #asa = 0;
  #aht = 0;
  #ahtN = 0;

  add(r: Row): void {
    const k = this.k;
    k.offered += 1;
    if (r.route) k.routes[r.route] = (k.routes[r.route] ?? 0) + 1;
    if (r.status === 'failed') k.failed += 1;
    if (r.outcome === 'transferred') k.transferred += 1;
    if (r.outcome === 'voicemail') k.voicemail += 1;
    if (r.outcome === 'callback') k.callback += 1;
    if (r.queued_at === null) return;
    k.queued += 1;
    if (r.agent_answered_at !== null) {
      k.answered += 1;
      const wait = r.agent_answered_at - r.queued_at;
      this.#asa += wait;
      if (wait <= 10_000) k.answeredWithin10s += 1;
      const handle = handleMs(r);
      if (handle !== null) {
        this.#aht += handle;
        this.#ahtN += 1;
      }
    } else if (r.outcome === 'abandoned') {
      k.abandoned += 1;
    }
  }

  done(): Kpi {
    const k = this.k;
    k.answeredWithin10sRate = k.queued ? round(k.answeredWithin10s / k.queued) : null;
    k.abandonRate = k.queued ? round(k.abandoned / k.queued) : null;
    k.asaMs = k.answered ? Math.round(this.#asa / k.answered) : null;
    k.ahtMs = this.#ahtN ? Math.round(this.#aht / this.#ahtN) : null;
    return k;
  }
}

/** Time agents spent on an answered call, ms; null while an agent is still on it. */
function handleMs(r: Row): number | null {
  if (r.agent_legs > 0) return r.agent_open > 0 ? null : (r.agent_ms ?? 0);
  return r.ended_at !== null && r.agent_answered_at !== null ? r.ended_at - r.agent_answered_at : null;
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

function offsetMs(at: number, tz: string): number {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: tz, timeZoneName: 'longOffset' });
  const name = f.formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000 : 0;
}

/**
 * KPIs of calls that arrived in [from, to). Buckets use the zone's offset at `from` (China has no daylight
 * saving time, so one offset is exact there).
 */
export function callKpis(db: Db, q: { from: number; to: number; bucket: 'hour' | 'day'; timezone: string }): KpiReport {
  const rows = db
    .prepare(
      `SELECT ${columns} FROM calls
       WHERE arrived_at >= ? AND arrived_at < ? ORDER BY arrived_at`,
    )
    .all(q.from, q.to) as Row[];
  const off = offsetMs(q.from, q.timezone);
  const size = q.bucket === 'hour' ? 3_600_000 : 86_400_000;
  const total = new Acc();
  const buckets = new Map<number, Acc>();
  for (const r of rows) {
    total.add(r);
    const key = Math.floor((r.arrived_at + off) / size);
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = new Acc()));
    b.add(r);
  }
  return {
    from: q.from,
    to: q.to,
    bucket: q.bucket,
    timezone: q.timezone,
    total: total.done(),
    buckets: [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([key, acc]) => {
        const iso = new Date(key * size).toISOString();
        return { start: q.bucket === 'hour' ? iso.slice(0, 13) + ':00' : iso.slice(0, 10), ...acc.done() };
      }),
  };
}

/** KPIs of a given set of calls (a simulated traffic run), whatever else the box handled meanwhile. */
export function callKpisFor(db: Db, callIds: string[]): Kpi {
  const acc = new Acc();
  const stmt = db.prepare(
    `SELECT ${columns} FROM calls WHERE id = ?`,
  );
  for (const id of callIds) {
    const r = stmt.get(id) as Row | undefined;
    if (r) acc.add(r);
  }
  return acc.done();
}
