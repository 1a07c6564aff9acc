// 质检 (quality inspection, issue 15 §6): a supervisor listens to a recorded call and scores the agent's part
// on the configured form (config qa.criteria: each criterion has a maximum of points and a weight). The score
// is Σ weightᵢ · pointsᵢ / maxPointsᵢ / Σ weightᵢ × 100 (0–100, two decimals). An inspection keeps the form as
// it was when scored, so a later change of the form does not rewrite past scores. One inspection per call and
// agent; every inspection is audited (entity 'qa'). The agent scored sees their own inspections. A supervisor
// may correct an inspection's points with a reason (scored again on the inspection's own form; the points
// before and after and the reason go into the audit trail).
import { AuditLog } from '../audit/audit.js';
import type { BoxConfig } from '../config/model.js';
import { AppError } from '../errors.js';
import type { Db } from '../store/db.js';
import type { Actor } from '../accounts/actor.js';
import type { Criterion, Inspection, RecordedCall } from './view-types.js';

export type { Criterion, Inspection, RecordedCall } from './view-types.js';

/** The form's criteria in the configuration are the API's criteria: this fails to compile when they part. */
type Holds<T extends true> = T;
export type ConfigCriterionIsCriterion = Holds<NonNullable<BoxConfig['qa']>['criteria'][number] extends Criterion ? true : false>;

export interface CorrectInput {
  points: Record<string, number>;
  /** Replaces the comment when given. */
  comment?: string;
  reason: string;
}

export interface InspectInput {
  callId: string;
  /** The agent scored; may be left out when the call had one agent. */
  agent?: number;
  points: Record<string, number>;
  comment?: string;
}

interface Row {
  id: number;
  call_id: string;
  agent_id: number;
  agent_name: string | null;
  inspector_id: number | null;
  inspector_name: string;
  form: string;
  points: string;
  score: number;
  comment: string | null;
  call_at: number;
  created_at: string;
  corrected_at: string | null;
  corrected_by: string | null;
}

/** The weighted score of `points` on `form`, 0–100 with two decimals; throws qa-points-invalid naming the criterion. */
export function scoreOf(form: readonly Criterion[], points: Record<string, unknown>): number {
  const known = new Set(form.map((c) => c.key));
  for (const k of Object.keys(points)) if (!known.has(k)) throw new AppError('qa-points-invalid', `${k} is not a criterion of the form`, { criterion: k });
  let sum = 0;
  let weights = 0;
  for (const c of form) {
    const p = points[c.key];
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > c.maxPoints) {
      throw new AppError('qa-points-invalid', `${c.key}: points must be a whole number from 0 to ${c.maxPoints}`, { criterion: c.key, maxPoints: c.maxPoints });
    }
    sum += (c.weight * p) / c.maxPoints;
    weights += c.weight;
  }
  return Math.round((sum / weights) * 10000) / 100;
}

const select = `SELECT q.*, coalesce(u.display_name, u.username) AS agent_name FROM qa_inspections q LEFT JOIN users u ON u.id = q.agent_id`;

const view = (r: Row): Inspection => ({
  id: r.id,
  callId: r.call_id,
  agent: { id: r.agent_id, name: r.agent_name ?? String(r.agent_id) },
  inspector: { id: r.inspector_id, name: r.inspector_name },
  form: JSON.parse(r.form) as Criterion[],
  points: JSON.parse(r.points) as Record<string, number>,
  score: r.score,
  comment: r.comment,
  callAt: new Date(r.call_at).toISOString(),
  createdAt: r.created_at,
  corrected: r.corrected_at ? { at: r.corrected_at, by: r.corrected_by ?? '' } : null,
});

export class QaService {
  readonly #audit: AuditLog;
  constructor(
    private readonly db: Db,
    private readonly form: () => readonly Criterion[],
    private readonly now: () => Date,
  ) {
    this.#audit = new AuditLog(db);
  }

  criteria(): readonly Criterion[] {
    return this.form();
  }

  /** Recorded calls an agent answered, newest first, each agent leg with its inspection id when scored. */
  recordedCalls(q: { fromMs: number; toMs: number; agent?: number; limit: number }): RecordedCall[] {
    const rows = this.db
      .prepare(
        `SELECT c.id AS callId, c.caller, c.arrived_at AS arrivedAt, c.ended_at AS endedAt, l.started_at AS legStartedAt, l.ended_at AS legEndedAt,
                CAST(l.target AS INTEGER) AS agentId, coalesce(u.display_name, u.username) AS agentName, q.id AS inspectionId, q.score
           FROM call_legs l JOIN calls c ON c.id = l.call_id
           LEFT JOIN users u ON u.id = CAST(l.target AS INTEGER)
           LEFT JOIN qa_inspections q ON q.call_id = c.id AND q.agent_id = CAST(l.target AS INTEGER)
          WHERE l.kind = 'agent' AND c.recording_file IS NOT NULL AND l.started_at >= @from AND l.started_at < @to
            ${q.agent !== undefined ? 'AND l.target = @agentText' : ''}
          ORDER BY l.started_at DESC, l.id DESC LIMIT @limit`,
      )
      .all({ from: q.fromMs, to: q.toMs, limit: q.limit, agentText: String(q.agent ?? '') }) as (Omit<RecordedCall, 'agentName' | 'talkSeconds'> & { agentName: string | null })[];
    return rows.map((r) => ({ ...r, agentName: r.agentName ?? String(r.agentId), talkSeconds: r.legEndedAt ? Math.round((r.legEndedAt - r.legStartedAt) / 1000) : null }));
  }

  inspect(input: InspectInput, actor: Actor): Inspection {
    return this.db
      .transaction((): Inspection => {
        const call = this.db.prepare('SELECT id, recording_file FROM calls WHERE id = ?').get(input.callId) as { id: string; recording_file: string | null } | undefined;
        if (!call) throw new AppError('call-not-found', `no call ${input.callId}`, { callId: input.callId });
        if (!call.recording_file) throw new AppError('qa-recording-missing', `call ${input.callId} has no recording`, { callId: input.callId });
        const legs = this.db.prepare("SELECT CAST(target AS INTEGER) AS agent, min(started_at) AS at FROM call_legs WHERE call_id = ? AND kind = 'agent' GROUP BY target").all(call.id) as { agent: number; at: number }[];
        const leg = input.agent !== undefined ? legs.find((l) => l.agent === input.agent) : legs.length === 1 ? legs[0] : undefined;
        if (!leg) {
          throw new AppError('qa-agent-invalid', input.agent !== undefined ? `agent ${input.agent} did not take call ${call.id}` : `call ${call.id} had ${legs.length} agents: name the one scored`, { agents: legs.map((l) => l.agent) });
        }
        const form = [...this.form()];
        const score = scoreOf(form, input.points);
        if (this.db.prepare('SELECT 1 FROM qa_inspections WHERE call_id = ? AND agent_id = ?').get(call.id, leg.agent)) {
          throw new AppError('qa-inspection-exists', `call ${call.id} was already inspected for agent ${leg.agent}`, { callId: call.id, agent: leg.agent });
        }
        const at = this.now();
        const points = Object.fromEntries(form.map((c) => [c.key, input.points[c.key]!]));
        const r = this.db
          .prepare(
            `INSERT INTO qa_inspections (call_id, agent_id, inspector_id, inspector_name, form, points, score, comment, call_at, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(call.id, leg.agent, actor.id, actor.name, JSON.stringify(form), JSON.stringify(points), score, input.comment ?? null, leg.at, at.toISOString());
        const id = Number(r.lastInsertRowid);
        this.#audit.append(actor, at, { entity: 'qa', entityId: String(id), action: 'inspect', note: input.comment ?? null, data: { callId: call.id, agent: leg.agent, points, score } });
        return this.get(id)!;
      })
      .immediate();
  }

  /** New points for an inspection, scored on the form it was scored on; audited with the reason. */
  correct(id: number, input: CorrectInput, actor: Actor): Inspection {
    return this.db
      .transaction((): Inspection => {
        const before = this.get(id);
        if (!before) throw new AppError('qa-inspection-not-found', undefined, { id });
        const score = scoreOf(before.form, input.points);
        const points = Object.fromEntries(before.form.map((c) => [c.key, input.points[c.key]!]));
        const at = this.now();
        const comment = input.comment !== undefined ? input.comment : before.comment;
        this.db
          .prepare('UPDATE qa_inspections SET points = ?, score = ?, comment = ?, corrected_at = ?, corrected_by = ? WHERE id = ?')
          .run(JSON.stringify(points), score, comment, at.toISOString(), actor.name, id);
        this.#audit.append(actor, at, {
          entity: 'qa',
          entityId: String(id),
          action: 'correct',
          note: input.reason,
          data: { callId: before.callId, agent: before.agent.id, before: { points: before.points, score: before.score, comment: before.comment }, after: { points, score, comment } },
        });
        return this.get(id)!;
      })
      .immediate();
  }

  get(id: number): Inspection | undefined {
    const r = this.db.prepare(`${select} WHERE q.id = ?`).get(id) as Row | undefined;
    return r ? view(r) : undefined;
  }

  list(q: { fromMs: number; toMs: number; agent?: number; limit: number }): Inspection[] {
    const rows = this.db
      .prepare(`${select} WHERE q.call_at >= @from AND q.call_at < @to ${q.agent !== undefined ? 'AND q.agent_id = @agent' : ''} ORDER BY q.call_at DESC, q.id DESC LIMIT @limit`)
      .all({ from: q.fromMs, to: q.toMs, agent: q.agent ?? null, limit: q.limit }) as Row[];
    return rows.map(view);
  }
}

/** Per agent: inspections of calls in [fromMs, toMs) and their average score (stats/agents.ts). */
export function qaFigures(db: Db, fromMs: number, toMs: number): Map<number, { inspected: number; averageScore: number | null }> {
  if (!db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'qa_inspections'").get()) return new Map();
  const rows = db.prepare('SELECT agent_id AS id, count(*) AS n, avg(score) AS avg FROM qa_inspections WHERE call_at >= ? AND call_at < ? GROUP BY agent_id').all(fromMs, toMs) as { id: number; n: number; avg: number }[];
  return new Map(rows.map((r) => [r.id, { inspected: r.n, averageScore: Math.round(r.avg * 100) / 100 }]));
}
