// The ACD's agent states in the store (agent_states, and agent_state_log for every change): what the ACD
// (acd.ts) restores at start and the writes it queues on each change.
import type { Db } from '../store/db.js';
import type { Agent } from './acd.js';
import type { AgentState } from './events.js';
import type { WriteOp } from './writer.js';

export interface SavedAgent {
  agent_id: number;
  name: string;
  station: string | null;
  skills: string;
  state: AgentState;
  since: number;
  idle_since: number | null;
}

export const forgetAgentSql = 'DELETE FROM agent_states WHERE agent_id = ?';

const upsertSql = `INSERT INTO agent_states (agent_id, name, station, skills, state, since, idle_since)
    VALUES (@id, @name, @station, @skills, @state, @since, @idleSince)
    ON CONFLICT(agent_id) DO UPDATE SET name = excluded.name, station = excluded.station, skills = excluded.skills,
      state = excluded.state, since = excluded.since, idle_since = excluded.idle_since`;
const logSql = 'INSERT INTO agent_state_log (agent_id, state, at, reason) VALUES (?, ?, ?, ?)';

/** The agents the previous run left in the store. */
export function savedAgents(db: Db): SavedAgent[] {
  return db.prepare('SELECT * FROM agent_states').all() as SavedAgent[];
}

/** The writes that record `a`'s state now, and why it changed. */
export function agentStateWrites(a: Agent, reason: string): WriteOp[] {
  const row = { id: a.id, name: a.name, station: a.station, skills: JSON.stringify(a.skills), state: a.state, since: a.since, idleSince: a.idleSince };
  return [
    { sql: upsertSql, params: row },
    { sql: logSql, params: [row.id, row.state, row.since, reason] },
  ];
}
