// Agent performance (绩效, issue 15 §6) per agent over a period, from the call records and the tickets:
// calls answered and talk time from the agent legs (call_legs kind 'agent', target = the agent's user id),
// wrap-up time from the agent state log (each 'wrap-up' entry until the agent's next state change, cut at
// the period's end), tickets received (created_by), answered at once (answer_text set), and the return-visit
// satisfaction of those tickets, and the quality-inspection (质检) scores of the agent's calls in the period
// (qa/service.ts: count inspected and average score).
import { qaFigures } from '../qa/service.js';
import type { Db } from '../store/db.js';
import { ratio } from './kpis.js';
import type { AgentFigures } from './view-types.js';

export type { AgentFigures } from './view-types.js';


const hasTable = (db: Db, name: string) => !!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);

export function agentFigures(db: Db, q: { fromMs: number; toMs: number; fromIso: string; toIso: string }): AgentFigures[] {
  const by = new Map<number, AgentFigures>();
  const get = (id: number, name?: string | null) => {
    let a = by.get(id);
    if (!a) by.set(id, (a = { agent: id, name: name ?? String(id), callsAnswered: 0, talkSeconds: 0, wrapUpSeconds: 0, ticketsReceived: 0, instantAnswers: 0, satisfaction: ratio(0, 0), qa: { inspected: 0, averageScore: null } }));
    else if (name && a.name === String(id)) a.name = name;
    return a;
  };
  for (const u of db.prepare("SELECT id, coalesce(display_name, username) AS name FROM users WHERE role IN ('agent', 'supervisor')").all() as { id: number; name: string }[]) get(u.id, u.name);
  if (hasTable(db, 'call_legs')) {
    const legs = db
      .prepare(
        `SELECT CAST(target AS INTEGER) AS id, count(*) AS n, sum(CASE WHEN ended_at IS NOT NULL THEN ended_at - started_at ELSE 0 END) AS ms
           FROM call_legs WHERE kind = 'agent' AND started_at >= ? AND started_at < ? GROUP BY target`,
      )
      .all(q.fromMs, q.toMs) as { id: number; n: number; ms: number }[];
    for (const l of legs) Object.assign(get(l.id), { callsAnswered: l.n, talkSeconds: Math.round(l.ms / 1000) });
    const log = db.prepare('SELECT agent_id AS id, state, at FROM agent_state_log WHERE at < ? ORDER BY agent_id, at, id').all(q.toMs) as { id: number; state: string; at: number }[];
    for (let i = 0; i < log.length; i++) {
      const e = log[i]!;
      if (e.state !== 'wrap-up') continue;
      const next = log[i + 1] && log[i + 1]!.id === e.id ? log[i + 1]!.at : q.toMs;
      const ms = Math.min(next, q.toMs) - Math.max(e.at, q.fromMs);
      if (ms > 0) get(e.id).wrapUpSeconds += Math.round(ms / 1000);
    }
  }
  const t = db
    .prepare(
      `SELECT created_by AS id, count(*) AS n, sum(answer_text IS NOT NULL) AS instant,
              sum(satisfaction IS NOT NULL) AS visited, sum(satisfaction IN ('satisfied', 'neutral')) AS satisfied
         FROM tickets WHERE created_at >= ? AND created_at < ? AND created_by IS NOT NULL AND status != 'merged' GROUP BY created_by`,
    )
    .all(q.fromIso, q.toIso) as { id: number; n: number; instant: number; visited: number; satisfied: number }[];
  for (const r of t) Object.assign(get(r.id), { ticketsReceived: r.n, instantAnswers: r.instant, satisfaction: ratio(r.satisfied, r.visited) });
  for (const [id, f] of qaFigures(db, q.fromMs, q.toMs)) get(id).qa = f;
  return [...by.values()].sort((a, b) => a.agent - b.agent);
}
