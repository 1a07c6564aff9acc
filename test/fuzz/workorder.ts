// Stateful fuzzing of the work-order flow (issue 13, "fuzzer depth"): fast-check's model-based testing
// (fc.commands + fc.asyncModelRun) drives one box's real HTTP API (fastify inject, a real SQLite file) with
// sequences of create → dispatch → accept → reply → review → visit → close / reopen / return / merge /
// escalate / archive, a citizen's follow-up (amend), and reads by every role — agents, supervisors, an
// admin, users of two departments, a technician — with wrong roles, wrong departments and wrong states
// mixed in. The model holds each ticket's expected status, department and what the flow depends on; after
// every command:
//   - no 500, ever;
//   - a refused command answers the code the model expects, and changes nothing: the counts of tickets,
//     audit records and the other tables are as before, and so is every column of the tickets it named
//     (a citizen's look-up of a case that is not there is audited on purpose: one record, nothing else);
//   - an accepted one answers the status and department the model expects and adds exactly its audit
//     records (one; a merge two: the merged ticket's and the target's);
//   - a department never sees another department's ticket (list, get, search, its trail, statistics);
//   - ticket numbers stay unique, and the status the API reports equals the model's for every ticket.
// `fuzzWorkOrders({ runs, seed })` is run briefly by test/unit/fuzz-workorder.test.ts and at length by
// `npm run fuzz`. The model is written from the flow as documented (README §The work order; docs), not from
// tickets/workflow.ts.
import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { errorCatalogue } from '../../firmware-agent/errors.js';
import { type Client, type TestBox, startTestBox, strongPassword } from '../helpers/box.js';
import { counts, errorCode } from './api.js';

type Status = 'received' | 'dispatched' | 'accepted' | 'returned' | 'replied' | 'visited' | 'closed' | 'archived' | 'merged';
type Kind = 'inquiry' | 'suggestion' | 'complaint';
type ActorKey = 'admin' | 'supervisor' | 'agent' | 'deptA' | 'deptA2' | 'deptB' | 'technician';
/** 'holder': a user of the department holding the ticket when the command runs (deptA when none holds it). */
type Who = ActorKey | 'holder';
const actorKeys: readonly ActorKey[] = ['admin', 'supervisor', 'agent', 'deptA', 'deptA2', 'deptB', 'technician'];
type Action = 'answer' | 'dispatch' | 'accept' | 'return' | 'reply' | 'review' | 'visit' | 'reopen' | 'close' | 'archive' | 'merge' | 'escalate';
const actions: readonly Action[] = ['answer', 'dispatch', 'accept', 'return', 'reply', 'review', 'visit', 'reopen', 'close', 'archive', 'merge', 'escalate'];

/** What the model knows of one ticket created in this run. */
interface MTicket {
  number: string;
  type: Kind;
  phone: string | null;
  status: Status;
  dept: number | null;
  /** The columns the flow depends on: an immediate answer's text, a department's reply, the visit, the review, a dispatch. */
  hasAnswer: boolean;
  replied: boolean;
  satisfaction: string | null;
  reviewApproved: boolean;
  dispatched: boolean;
  /** Citizens' look-ups of this number so far (the per-number limit: docs/public.md). */
  lookups: number;
}

interface Model {
  tickets: MTicket[];
  /** Policy tickets.complaintReviewRequired: a complaint's result is visited or closed only after an approved review. */
  policy: boolean;
}

interface World {
  tb: TestBox;
  clients: Record<Exclude<ActorKey, 'admin'>, Client> & { admin: Client };
  role: Record<ActorKey, string>;
  deptOf: Record<ActorKey, number | null>;
  depts: { a: number; b: number; disabled: number };
  stats: WorkOrderReport;
  /** A fresh address for each citizen, so the per-address limit never decides (the per-number one does). */
  nextAddress: () => string;
  /** A ticket number that is not in the store and never used before. */
  missingNumber: () => string;
  /** deptA2's account, which MoveCommand moves between the two departments. */
  movable: { id: number; username: string };
}

export interface WorkOrderReport {
  seed: number;
  runs: number;
  commands: number;
  /** Per command (create, each action, amend, observe): how often it was sent, accepted and refused by code. */
  perCommand: Record<string, { sent: number; accepted: number; codes: Record<string, number> }>;
}

/** What the model says a command does: accepted with its effect and audit records, or refused with a code. */
type Expectation = { ok: true; audit: number; apply: () => void; status?: number } | { ok: false; code: string; audit?: number };

const centre = new Set(['admin', 'supervisor', 'agent']);
const supervisors = new Set(['admin', 'supervisor']);
const limitPerNumber = 10; // public look-ups of one case number per hour (docs/public.md)

/** The statuses each action applies to (README §The work order). */
const from: Record<Action, Status[]> = {
  answer: ['received', 'returned'],
  dispatch: ['received', 'returned', 'dispatched', 'accepted'],
  accept: ['dispatched'],
  return: ['dispatched', 'accepted'],
  reply: ['accepted'],
  review: ['replied'],
  visit: ['replied', 'closed'],
  reopen: ['visited', 'closed', 'replied'],
  close: ['replied', 'visited'],
  archive: ['closed'],
  merge: ['received', 'returned', 'dispatched'],
  escalate: ['dispatched', 'accepted'],
};

/**
 * Which ticket a command names: one of the model's (by index, modulo their count), one in a status the
 * action applies to when there is one (so sequences go deep), or one that does not exist.
 */
type Pick = { kind: 'known'; index: number } | { kind: 'fit'; index: number } | { kind: 'missing' };

function pickTicket(m: Model, p: Pick, action?: Action): MTicket | undefined {
  if (p.kind === 'missing' || m.tickets.length === 0) return undefined;
  const fit = p.kind === 'fit' && action ? m.tickets.filter((t) => from[action].includes(t.status)) : [];
  const among = fit.length ? fit : m.tickets;
  return among[p.index % among.length];
}

function tally(w: World, name: string, res: LightMyRequestResponse): void {
  const s = (w.stats.perCommand[name] ??= { sent: 0, accepted: 0, codes: {} });
  s.sent += 1;
  w.stats.commands += 1;
  if (res.statusCode < 400) s.accepted += 1;
  else {
    const code = errorCode(res) ?? String(res.statusCode);
    s.codes[code] = (s.codes[code] ?? 0) + 1;
  }
}

function rowOf(w: World, number: string): unknown {
  return w.tb.box.db.prepare('SELECT * FROM tickets WHERE number = ?').get(number);
}

/**
 * Sends a command, then holds it to the model: no 500; a refusal answers the expected code with the
 * catalogue's status and changes nothing; an acceptance adds exactly the expected audit records.
 */
async function judge(w: World, name: string, what: string, named: string[], expect: Expectation, send: () => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse> {
  const before = counts(w.tb);
  const rows = named.map((n) => JSON.stringify(rowOf(w, n)));
  const res = await send();
  tally(w, name, res);
  if (res.statusCode >= 500) throw new Error(`${what}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  const after = counts(w.tb);
  if (!expect.ok) {
    const code = errorCode(res);
    if (res.statusCode < 400) throw new Error(`${what}: the model expected ${expect.code}, the box answered ${res.statusCode} ${res.body.slice(0, 300)}`);
    if (code !== expect.code) throw new Error(`${what}: the model expected ${expect.code}, the box answered ${res.statusCode} ${res.body.slice(0, 300)}`);
    if (errorCatalogue[code as keyof typeof errorCatalogue]?.status !== res.statusCode) throw new Error(`${what}: ${code} with status ${res.statusCode}, not the catalogue's`);
    for (const k of Object.keys(before) as (keyof typeof before)[]) {
      const allowed = k === 'audit' ? (expect.audit ?? 0) : 0;
      if (after[k] - before[k] !== allowed) throw new Error(`${what} was refused (${code}) but changed ${k}: ${before[k]} → ${after[k]}`);
    }
    named.forEach((n, i) => {
      if (JSON.stringify(rowOf(w, n)) !== rows[i]) throw new Error(`${what} was refused (${code}) but ticket ${n} changed`);
    });
    return res;
  }
  if (res.statusCode >= 400) throw new Error(`${what}: the model expected it to be accepted, the box answered ${res.statusCode} ${res.body.slice(0, 300)}`);
  if (after.audit - before.audit !== expect.audit) throw new Error(`${what}: ${after.audit - before.audit} audit records, the model expected ${expect.audit}`);
  expect.apply();
  return res;
}

/** The box's view of a ticket, as the admin reads it, against the model's. */
async function sameAsModel(w: World, t: MTicket, what: string): Promise<void> {
  const res = await w.clients.admin.get(`/api/tickets/${t.number}`);
  if (res.statusCode !== 200) throw new Error(`${what}: reading ${t.number} answered ${res.statusCode} ${res.body.slice(0, 200)}`);
  const v = res.json() as { status: string; department: { id: number } | null };
  if (v.status !== t.status) throw new Error(`${what}: ${t.number} is ${v.status} on the box, ${t.status} in the model`);
  if ((v.department?.id ?? null) !== t.dept) throw new Error(`${what}: ${t.number} is with department ${v.department?.id ?? null} on the box, ${t.dept} in the model`);
}

// --- Commands --------------------------------------------------------------------------------------------

/** Every command may run in any state: wrong-state and wrong-role commands are the point, judged by the model. */
abstract class Command implements fc.AsyncCommand<Model, World> {
  check(): boolean {
    return true;
  }
  abstract run(m: Model, w: World): Promise<void>;
}

class CreateCommand extends Command {
  constructor(
    readonly actor: ActorKey,
    readonly type: Kind,
    readonly phone: string | null,
    readonly subject: string,
  ) {
    super();
  }
  async run(m: Model, w: World): Promise<void> {
    const role = w.role[this.actor];
    let created: MTicket | undefined;
    const expect: Expectation = centre.has(role)
      ? { ok: true, audit: 1, apply: () => created && m.tickets.push(created) }
      : { ok: false, code: 'forbidden-role' };
    const body = { type: this.type, domain: 'taxi', channel: 'phone', region: '623000', caller: { phone: this.phone }, subject: this.subject, description: `${this.subject}，请处理。` };
    const res = await judge(w, 'create', this.toString(), [], expect, async () => {
      const r = await w.clients[this.actor].post('/api/tickets', body);
      if (r.statusCode === 201) {
        const v = r.json() as { number: string; status: string };
        created = { number: v.number, type: this.type, phone: this.phone, status: 'received', dept: null, hasAnswer: false, replied: false, satisfaction: null, reviewApproved: false, dispatched: false, lookups: 0 };
      }
      return r;
    });
    if (res.statusCode === 201 && (res.json() as { status: string }).status !== 'received') throw new Error(`${this.toString()}: created as ${(res.json() as { status: string }).status}`);
  }
  override toString = () => `create(${this.actor}, ${this.type}, ${this.phone ?? 'no phone'})`;
}

interface ActParams {
  dept: 'a' | 'b' | 'disabled' | 'none';
  due: 'none' | 'future' | 'past';
  satisfaction: 'satisfied' | 'neutral' | 'unsatisfied';
  outcome: 'approved' | 'returned';
  into: Pick;
  blank: boolean;
}

/**
 * The flow's next step for a ticket in `status` (the `variant`-th of the usual ones) and who usually takes
 * it: what a 'next' command does, so that sequences follow tickets deep into the flow.
 */
function nextStep(t: MTicket, variant: number): [Action, Who] {
  const steps: Record<Status, [Action, Who][]> = {
    received: [['dispatch', 'agent'], ['dispatch', 'supervisor'], ['answer', 'agent'], ['merge', 'agent']],
    returned: [['dispatch', 'agent'], ['answer', 'agent']],
    dispatched: [['accept', 'holder'], ['accept', 'holder'], ['return', 'holder'], ['escalate', 'supervisor'], ['dispatch', 'supervisor']],
    accepted: [['reply', 'holder'], ['reply', 'holder'], ['return', 'holder'], ['escalate', 'supervisor']],
    replied: t.type === 'complaint' ? [['review', 'supervisor'], ['visit', 'agent'], ['close', 'agent'], ['reopen', 'supervisor']] : [['visit', 'agent'], ['visit', 'agent'], ['close', 'agent'], ['reopen', 'supervisor']],
    visited: [['reopen', 'supervisor'], ['close', 'agent']],
    closed: [['archive', 'supervisor'], ['visit', 'agent'], ['reopen', 'supervisor']],
    archived: [['reopen', 'supervisor'], ['visit', 'agent']],
    merged: [['dispatch', 'agent'], ['visit', 'agent']],
  };
  const list = steps[t.status];
  return list[variant % list.length]!;
}

class ActCommand extends Command {
  actor: ActorKey = 'deptA';
  action: Action;
  who: Who;
  constructor(
    who: Who,
    readonly ticket: Pick,
    /** An action, or 'next': the flow's next step for the ticket (nextStep), by whoever usually takes it. */
    readonly chosen: Action | 'next',
    readonly p: ActParams,
    readonly variant = 0,
  ) {
    super();
    this.who = who;
    this.action = chosen === 'next' ? 'dispatch' : chosen;
  }

  body(w: World, m: Model, now: Date): Record<string, unknown> {
    const due = this.p.due === 'none' ? {} : { dueAt: new Date(now.getTime() + (this.p.due === 'future' ? 10 : -1) * 86_400_000).toISOString() };
    switch (this.action) {
      case 'answer':
        return { action: 'answer', text: this.p.blank ? '   ' : '已电话答复来电人。' };
      case 'dispatch':
        return { action: 'dispatch', department: this.p.dept === 'none' ? 999_999 : w.depts[this.p.dept], ...due };
      case 'return':
        return { action: 'return', reason: '不属于本部门职责' };
      case 'reply':
        return { action: 'reply', text: '已核实处理，答复来电人。' };
      case 'review':
        return { action: 'review', outcome: this.p.outcome };
      case 'visit':
        return { action: 'visit', satisfaction: this.p.satisfaction };
      case 'merge': {
        const into = pickTicket(m, this.p.into);
        return { action: 'merge', into: into?.number ?? w.missingNumber() };
      }
      case 'escalate':
        return { action: 'escalate', note: '请加快办理', ...due };
      default:
        return { action: this.action };
    }
  }

  expect(w: World, m: Model, t: MTicket | undefined, body: Record<string, unknown>): Expectation {
    const role = w.role[this.actor];
    const mine = w.deptOf[this.actor];
    if (role === 'technician') return { ok: false, code: 'forbidden-role' };
    if (this.action === 'answer' && this.p.blank) return { ok: false, code: 'answer-text-required' };
    if (!t) return { ok: false, code: 'ticket-not-found' };
    // A department sees only what it holds: another's ticket answers exactly like a missing one.
    if (role === 'department' && t.dept !== mine) return { ok: false, code: 'ticket-not-found' };
    const byCentre = ['answer', 'dispatch', 'visit', 'close', 'merge'];
    const bySupervisor = ['reopen', 'archive', 'escalate', 'review'];
    const byDepartment = ['accept', 'return', 'reply'];
    if (byCentre.includes(this.action) && !centre.has(role)) return { ok: false, code: 'forbidden-role' };
    if (bySupervisor.includes(this.action) && !supervisors.has(role)) return { ok: false, code: 'forbidden-role' };
    if (byDepartment.includes(this.action) && role !== 'department') return { ok: false, code: 'forbidden-role' };
    // Taking a ticket away from the department holding it: supervisors only.
    if (this.action === 'dispatch' && (t.status === 'dispatched' || t.status === 'accepted') && !supervisors.has(role)) return { ok: false, code: 'forbidden-role' };
    const illegal: Expectation = { ok: false, code: 'illegal-transition' };
    if (!from[this.action].includes(t.status)) return illegal;
    // 复核 first, with the policy on: a complaint's result a department here gave, not approved yet.
    const complaintResult = t.type === 'complaint' && t.dispatched && t.replied;
    if ((this.action === 'visit' || this.action === 'close') && m.policy && complaintResult && !t.reviewApproved) return { ok: false, code: 'ticket-review-required' };
    const ok = (apply: () => void, audit = 1): Expectation => ({ ok: true, audit, apply });
    switch (this.action) {
      case 'answer':
        return ok(() => Object.assign(t, { status: 'closed', hasAnswer: true }));
      case 'dispatch': {
        if (this.p.dept === 'none' || this.p.dept === 'disabled') return { ok: false, code: 'department-not-found' };
        if (this.p.due === 'past') return { ok: false, code: 'due-date-invalid' };
        const d = w.depts[this.p.dept];
        return ok(() => Object.assign(t, { status: 'dispatched', dept: d, dispatched: true }));
      }
      case 'accept':
        return ok(() => (t.status = 'accepted'));
      case 'return':
        return ok(() => Object.assign(t, { status: 'returned', dept: null }));
      case 'reply':
        return ok(() => Object.assign(t, { status: 'replied', replied: true, reviewApproved: false }));
      case 'review':
        // 复核 is of a complaint's result a department here gave.
        if (!complaintResult) return { ok: false, code: 'ticket-review-not-applicable' };
        return this.p.outcome === 'approved'
          ? ok(() => (t.reviewApproved = true))
          : ok(() => Object.assign(t, { status: 'dispatched', replied: false, reviewApproved: false }));
      case 'visit':
        if (t.status === 'closed') {
          // Only an immediate answer not yet visited takes a visit once closed (即时答复满意率).
          if (!(t.hasAnswer && !t.replied && t.satisfaction === null)) return illegal;
          return ok(() => (t.satisfaction = this.p.satisfaction));
        }
        return ok(() => Object.assign(t, { status: this.p.satisfaction === 'unsatisfied' ? 'visited' : 'closed', satisfaction: this.p.satisfaction }));
      case 'reopen':
        return ok(() =>
          Object.assign(t, t.dept !== null ? { status: 'dispatched', dispatched: true } : { status: 'received', hasAnswer: false }, { satisfaction: null, replied: false, reviewApproved: false }),
        );
      case 'close':
        return ok(() => (t.status = 'closed'));
      case 'archive':
        return ok(() => (t.status = 'archived'));
      case 'merge': {
        const into = m.tickets.find((x) => x.number === body.into);
        if (!into || into === t || into.status === 'merged' || into.status === 'archived') return { ok: false, code: 'merge-target-invalid' };
        return ok(() => Object.assign(t, { status: 'merged', dept: null }), 2);
      }
      case 'escalate':
        if (this.p.due === 'past') return { ok: false, code: 'due-date-invalid' };
        return ok(() => undefined);
    }
  }

  async run(m: Model, w: World): Promise<void> {
    const t = pickTicket(m, this.ticket, this.chosen === 'next' ? undefined : this.chosen);
    if (this.chosen === 'next' && t) [this.action, this.who] = nextStep(t, this.variant);
    this.actor = this.who !== 'holder' ? this.who : t?.dept === w.depts.b ? 'deptB' : 'deptA';
    const number = t?.number ?? w.missingNumber();
    const body = this.body(w, m, w.tb.box.now());
    const expect = this.expect(w, m, t, body);
    const named = [number, ...(typeof body.into === 'string' ? [body.into] : [])];
    const what = `${this.actor} ${JSON.stringify(body)} on ${number} (${t?.status ?? 'missing'}, department ${t?.dept ?? '-'})`;
    const fromStatus = t?.status;
    const res = await judge(w, this.action, what, named, expect, () => w.clients[this.actor].post(`/api/tickets/${number}/actions`, body));
    if (expect.ok && t) {
      // The change's own audit record: this action, by this actor's role, from and to the model's statuses.
      const a = w.tb.box.db.prepare("SELECT action, from_status AS f, to_status AS t, actor_role AS role FROM audit WHERE entity = 'ticket' AND entity_id = ? ORDER BY id DESC LIMIT 1").get(number) as { action: string; f: string; t: string; role: string };
      if (a.action !== this.action || a.f !== fromStatus || a.t !== t.status || a.role !== w.role[this.actor]) throw new Error(`${what}: audited as ${JSON.stringify(a)}, the model says ${this.action} ${fromStatus} → ${t.status} by a ${w.role[this.actor]}`);
      const v = res.json() as { status: string; department: { id: number } | null };
      if (v.status !== t.status || (v.department?.id ?? null) !== t.dept) throw new Error(`${what}: answered ${v.status} with department ${v.department?.id ?? null}, the model says ${t.status} with ${t.dept}`);
      await sameAsModel(w, t, what);
    }
  }
  override toString = () => `act(${this.chosen === 'next' ? `next#${this.variant}` : `${this.who}, ${this.chosen}`}, ${JSON.stringify(this.ticket)}, ${JSON.stringify(this.p)})`;
}

/**
 * The admin moves deptA2's account to a department: its sessions end when that changes anything (its old
 * cookie is refused), and logged in again it sees the new department's tickets only (ObserveCommand).
 */
class MoveCommand extends Command {
  constructor(readonly to: 'a' | 'b') {
    super();
  }
  async run(_m: Model, w: World): Promise<void> {
    const department = w.depts[this.to];
    const moved = w.deptOf.deptA2 !== department;
    const old = w.clients.deptA2;
    await judge(w, 'move-user', this.toString(), [], { ok: true, audit: 1, apply: () => (w.deptOf.deptA2 = department) }, () => w.clients.admin.patch(`/api/users/${w.movable.id}`, { department }));
    if (!moved) return;
    const res = await old.get('/api/tickets');
    tally(w, 'move-user-old-session', res);
    if (errorCode(res) !== 'not-authenticated') throw new Error(`${this.toString()}: the moved user's old session still answers ${res.statusCode} ${res.body.slice(0, 200)}`);
    w.clients.deptA2 = await w.tb.login(w.movable.username, strongPassword);
  }
  override toString = () => `move(deptA2 → ${this.to})`;
}

/** The review policy switched on or off (an admin's setting, audited when it changes; others are refused). */
class PolicyCommand extends Command {
  constructor(
    readonly actor: ActorKey,
    readonly on: boolean,
  ) {
    super();
  }
  async run(m: Model, w: World): Promise<void> {
    const role = w.role[this.actor];
    const expect: Expectation =
      role === 'admin' || role === 'technician' ? { ok: true, audit: m.policy === this.on ? 0 : 1, apply: () => (m.policy = this.on) } : { ok: false, code: 'forbidden-role' };
    await judge(w, 'policy', this.toString(), [], expect, () => w.clients[this.actor].put('/api/admin/config/tickets.complaintReviewRequired', { value: this.on }));
  }
  override toString = () => `policy(${this.actor}, complaintReviewRequired=${this.on})`;
}

/**
 * A citizen on the public page, with the case number and the last four digits of the phone: adds to what
 * they said (follow-up: the description amended, audited, status kept) or rates the result (the return
 * visit, 回访, through another door: the same rules as a staff visit).
 */
class CitizenCommand extends Command {
  constructor(
    readonly mode: 'follow-up' | 'rating',
    readonly ticket: Pick,
    readonly rightPhone: boolean,
    readonly satisfaction: 'satisfied' | 'neutral' | 'unsatisfied' = 'satisfied',
  ) {
    super();
  }

  expect(m: Model, t: MTicket | undefined): Expectation {
    if (t && t.lookups >= limitPerNumber) return { ok: false, code: 'public-rate-limited' };
    // One answer, audited, for a number that is not there, the wrong digits, a merged case or a case without a phone.
    if (!t || !t.phone || !this.rightPhone || t.status === 'merged') return { ok: false, code: 'public-case-not-found', audit: 1 };
    if (this.mode === 'follow-up') {
      if (t.status === 'closed' || t.status === 'archived') return { ok: false, code: 'public-case-closed' };
      return { ok: true, audit: 1, apply: () => undefined };
    }
    const answeredOnly = t.status === 'closed' && t.hasAnswer && !t.replied;
    const notRatable: Expectation = { ok: false, code: 'public-case-not-ratable' };
    if (!(t.status === 'replied' || answeredOnly) || t.satisfaction !== null) return notRatable;
    if (m.policy && t.type === 'complaint' && t.dispatched && t.replied && !t.reviewApproved) return notRatable;
    const status: Status = t.status === 'closed' || this.satisfaction !== 'unsatisfied' ? 'closed' : 'visited';
    return { ok: true, audit: 1, apply: () => Object.assign(t, { status, satisfaction: this.satisfaction }) };
  }

  async run(m: Model, w: World): Promise<void> {
    const t = pickTicket(m, this.ticket, this.mode === 'rating' ? 'visit' : undefined);
    const number = t?.number ?? w.missingNumber();
    const last4 = t?.phone && this.rightPhone ? t.phone.slice(-4) : t?.phone ? String((Number(t.phone.slice(-4)) + 1) % 10_000).padStart(4, '0') : '0000';
    const expect = this.expect(m, t);
    if (t && t.lookups < limitPerNumber) t.lookups += 1;
    const what = `citizen ${this.mode} on ${number} (${t?.status ?? 'missing'}, last 4 ${last4})`;
    const body = this.mode === 'follow-up' ? { text: '补充：车牌号是甘A12345。' } : { satisfaction: this.satisfaction };
    const res = await judge(w, this.mode === 'follow-up' ? 'amend' : 'citizen-rating', what, expect.ok ? [] : [number], expect, () =>
      w.tb.box.http.inject({
        method: 'POST',
        url: `/public/api/cases/${this.mode}`,
        remoteAddress: w.nextAddress(),
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ number, phoneLast4: last4, ...body }),
      }),
    );
    if (expect.ok && t) {
      const v = res.json() as { status?: { code?: string } };
      if (v.status?.code !== t.status) throw new Error(`${what}: the citizen is shown ${JSON.stringify(v.status)}, the model says ${t.status}`);
      const row = rowOf(w, number) as { description: string; status: string };
      if (row.status !== t.status) throw new Error(`${what}: the ticket is ${row.status}, the model says ${t.status}`);
      if (this.mode === 'follow-up' && !row.description.includes('甘A12345')) throw new Error(`${what}: the description was not amended`);
    }
  }
  override toString = () => `citizen(${this.mode}, ${JSON.stringify(this.ticket)}, ${this.rightPhone ? 'right' : 'wrong'} digits${this.mode === 'rating' ? `, ${this.satisfaction}` : ''})`;
}

/** Reads by one actor: what a department sees (list, get, search, trail, statistics) and every status against the model. */
class ObserveCommand extends Command {
  constructor(
    readonly actor: ActorKey,
    readonly q: string,
  ) {
    super();
  }
  async run(m: Model, w: World): Promise<void> {
    const c = w.clients[this.actor];
    const role = w.role[this.actor];
    const mine = w.deptOf[this.actor];
    const before = counts(w.tb);
    const deptOfRow = (n: string) => (w.tb.box.db.prepare('SELECT department_id AS d FROM tickets WHERE number = ?').get(n) as { d: number | null } | undefined)?.d ?? null;
    const checkItems = (what: string, items: { number: string }[]) => {
      for (const it of items) if (deptOfRow(it.number) !== mine) throw new Error(`${this.actor} (department ${mine}) sees ${it.number} of department ${deptOfRow(it.number)} in ${what}`);
    };
    const day = w.tb.box.now().toISOString().slice(0, 10);
    const next = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
    const other = mine === w.depts.a ? w.depts.b : w.depts.a;
    const reads: [string, string][] = [
      ['list', '/api/tickets?pageSize=100'],
      // Naming another department in the filter changes nothing for a department user.
      ['list-other', `/api/tickets?pageSize=100&department=${other}`],
      ['search', `/api/tickets?pageSize=100&q=${encodeURIComponent(this.q)}`],
      ['stats', `/api/stats/tickets?from=${day}&to=${next}&pageSize=100`],
    ];
    for (const [what, url] of reads) {
      const res = await c.get(url);
      tally(w, `observe-${what}`, res);
      if (res.statusCode >= 500) throw new Error(`${this.actor} GET ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
      if (role === 'department') {
        if (res.statusCode !== 200) throw new Error(`${this.actor} GET ${url}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        checkItems(what, (res.json() as { items: { number: string }[] }).items);
      }
    }
    if (role === 'department') {
      // Another department's figures are refused.
      const res = await c.get(`/api/stats/tickets?from=${day}&to=${next}&department=${other}`);
      tally(w, 'observe-stats-other', res);
      if (errorCode(res) !== 'stats-department-scope') throw new Error(`${this.actor} asked for department ${other}'s tickets: ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    for (const t of m.tickets) {
      if (role === 'department') {
        for (const url of [`/api/tickets/${t.number}`, `/api/tickets/${t.number}/audit`]) {
          const res = await c.get(url);
          tally(w, 'observe-get', res);
          const visible = t.dept === mine;
          if (visible ? res.statusCode !== 200 : errorCode(res) !== 'ticket-not-found') throw new Error(`${this.actor} (department ${mine}) GET ${url} of a ticket with department ${t.dept}: ${res.statusCode} ${res.body.slice(0, 200)}`);
        }
      }
      await sameAsModel(w, t, `observe by ${this.actor}`);
      if (centre.has(role) && t.phone) {
        // The worklists (回访, 复核) hold what the model says they hold; the caller's number finds the ticket.
        const awaitingReview = t.status === 'replied' && t.type === 'complaint' && t.dispatched && t.replied && !t.reviewApproved;
        const awaitingVisit = (t.status === 'replied' && !(m.policy && awaitingReview)) || (t.status === 'closed' && t.hasAnswer && !t.replied && t.satisfaction === null);
        for (const [list, expected] of [['awaitingReview', awaitingReview], ['awaitingVisit', awaitingVisit]] as const) {
          const res = await c.get(`/api/tickets?caller=${t.phone}&${list}=true&pageSize=100`);
          tally(w, `observe-${list}`, res);
          const listed = (res.json() as { items: { number: string }[] }).items.some((x) => x.number === t.number);
          if (listed !== expected) throw new Error(`${t.number} (${t.type}, ${t.status}, review ${t.reviewApproved ? 'approved' : 'not approved'}, policy ${m.policy}) is ${listed ? '' : 'not '}in ${list}, the model says ${expected ? '' : 'not '}so`);
        }
      }
    }
    const after = counts(w.tb);
    if (JSON.stringify(before) !== JSON.stringify(after)) throw new Error(`reading changed the store: ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  }
  override toString = () => `observe(${this.actor}, q=${this.q})`;
}

// --- Arbitraries -----------------------------------------------------------------------------------------

const subjects = ['出租车拒载', '公交车绕路', '网约车多收费', '地铁站电梯停运', '驾校乱收费'];
const pick: fc.Arbitrary<Pick> = fc.oneof(
  { weight: 12, arbitrary: fc.nat(40).map((index) => ({ kind: 'fit' as const, index })) },
  { weight: 6, arbitrary: fc.nat(40).map((index) => ({ kind: 'known' as const, index })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'missing' as const }) },
);
const actor = fc.constantFrom(...actorKeys);
/** The actor an action usually comes from (so sequences get deep), now and then anyone. */
const usualActor: Record<Action, Who[]> = {
  answer: ['agent', 'supervisor'],
  dispatch: ['agent', 'supervisor', 'admin'],
  accept: ['holder', 'holder', 'deptA2'],
  return: ['holder', 'deptB'],
  reply: ['holder', 'holder', 'deptA2'],
  review: ['supervisor', 'admin'],
  visit: ['agent', 'supervisor'],
  reopen: ['supervisor'],
  close: ['agent', 'supervisor'],
  archive: ['supervisor', 'admin'],
  merge: ['agent', 'supervisor'],
  escalate: ['supervisor'],
};
const params: fc.Arbitrary<ActParams> = fc.record({
  dept: fc.oneof({ weight: 8, arbitrary: fc.constantFrom<'a' | 'b'>('a', 'b') }, { weight: 1, arbitrary: fc.constantFrom<'disabled' | 'none'>('disabled', 'none') }),
  due: fc.oneof({ weight: 6, arbitrary: fc.constant<'none'>('none') }, { weight: 2, arbitrary: fc.constant<'future'>('future') }, { weight: 1, arbitrary: fc.constant<'past'>('past') }),
  satisfaction: fc.constantFrom<ActParams['satisfaction']>('satisfied', 'neutral', 'unsatisfied'),
  outcome: fc.constantFrom<ActParams['outcome']>('approved', 'returned'),
  into: pick,
  blank: fc.oneof({ weight: 15, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});
/** The flow's main line is drawn more often than its side steps, so sequences reach review, visit and close. */
const actionWeights: Record<Action, number> = { answer: 2, dispatch: 4, accept: 4, return: 1, reply: 4, review: 3, visit: 3, reopen: 2, close: 2, archive: 1, merge: 1, escalate: 1 };
const actCommand = fc
  .oneof(...actions.map((a) => ({ weight: actionWeights[a], arbitrary: fc.constant(a) })))
  .chain((a) => fc.tuple(fc.constant(a), fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...usualActor[a]) }, { weight: 1, arbitrary: actor }), pick, params))
  .map(([a, who, t, p]) => new ActCommand(who, t, a, p));

const createCommand = fc
  .tuple(
    fc.oneof({ weight: 4, arbitrary: fc.constantFrom<ActorKey>('agent', 'supervisor', 'admin') }, { weight: 1, arbitrary: actor }),
    fc.constantFrom<Kind>('inquiry', 'suggestion', 'complaint', 'complaint'),
    fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^1[3-9]\d{9}$/) }, { weight: 1, arbitrary: fc.constant(null) }),
    fc.constantFrom(...subjects),
  )
  .map(([who, k, phone, s]) => new CreateCommand(who, k, phone, s));

const nextCommand = fc.tuple(fc.nat(40), params, fc.nat(11)).map(([index, p, variant]) => new ActCommand('agent', { kind: 'known', index }, 'next', p, variant));

export const commandArbitraries = [
  createCommand,
  nextCommand,
  nextCommand,
  nextCommand,
  actCommand,
  actCommand,
  actCommand,
  actCommand,
  fc
    .tuple(fc.constantFrom<'follow-up' | 'rating'>('follow-up', 'rating'), pick, fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }), fc.constantFrom<ActParams['satisfaction']>('satisfied', 'neutral', 'unsatisfied'))
    .map(([mode, t, right, sat]) => new CitizenCommand(mode, t, right, sat)),
  fc.tuple(fc.constantFrom<ActorKey>('deptA', 'deptA2', 'deptB', 'agent', 'supervisor'), fc.constantFrom('拒载', '绕路', '收费', '电梯')).map(([who, q]) => new ObserveCommand(who, q)),
  // A move costs a login (scrypt): rarer than the rest.
  fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.oneof({ weight: 3, arbitrary: fc.constant<ActorKey>('admin') }, { weight: 1, arbitrary: actor }), fc.boolean()).map(([who, on]) => new PolicyCommand(who, on)) },
    { weight: 1, arbitrary: fc.constantFrom<'a' | 'b'>('a', 'b').map((to) => new MoveCommand(to)) },
  ),
];

// --- The run -----------------------------------------------------------------------------------------------

async function world(tb: TestBox, stats: WorkOrderReport): Promise<World> {
  const dept = async (name: string) => (await tb.admin.post('/api/departments', { name })).json() as { id: number };
  const a = await dept('市出租汽车管理处');
  const b = await dept('市公交集团');
  const off = await dept('已撤销的运管所');
  await tb.admin.patch(`/api/departments/${off.id}`, { disabled: true });
  const mk = async (username: string, role: string, department?: number) => {
    const r = await tb.admin.post('/api/users', { username, password: strongPassword, role, ...(department ? { department } : {}) });
    if (r.statusCode !== 201) throw new Error(`work-order fuzz actor ${username}: ${r.body}`);
    return tb.login(username, strongPassword);
  };
  const clients = {
    admin: tb.admin,
    supervisor: await mk('wo-super', 'supervisor'),
    agent: await mk('wo-agent', 'agent'),
    deptA: await mk('wo-dept-a', 'department', a.id),
    deptA2: await mk('wo-dept-a2', 'department', a.id),
    deptB: await mk('wo-dept-b', 'department', b.id),
    technician: await mk('wo-tech', 'technician'),
  };
  let address = 0;
  let missing = 0;
  return {
    tb,
    clients,
    role: { admin: 'admin', supervisor: 'supervisor', agent: 'agent', deptA: 'department', deptA2: 'department', deptB: 'department', technician: 'technician' },
    deptOf: { admin: null, supervisor: null, agent: null, deptA: a.id, deptA2: a.id, deptB: b.id, technician: null },
    depts: { a: a.id, b: b.id, disabled: off.id },
    stats,
    nextAddress: () => {
      address += 1;
      return `10.${(address >> 16) & 255}.${(address >> 8) & 255}.${address & 255}`;
    },
    // A day before the box's first ticket: never allocated.
    missingNumber: () => `62300020200101${String(++missing % 100_000).padStart(5, '0')}`,
    movable: { id: (tb.box.db.prepare('SELECT id FROM users WHERE username = ?').get('wo-dept-a2') as { id: number }).id, username: 'wo-dept-a2' },
  };
}

/** Store invariants after each run: unique numbers, every ticket's creation audited. */
function invariants(tb: TestBox): void {
  const dup = tb.box.db.prepare('SELECT number FROM tickets GROUP BY number HAVING COUNT(*) > 1 LIMIT 1').get();
  if (dup) throw new Error(`duplicate ticket number ${JSON.stringify(dup)}`);
  const unaudited = tb.box.db.prepare(`SELECT t.number FROM tickets t WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.entity = 'ticket' AND a.entity_id = t.number AND a.action = 'create') LIMIT 1`).get();
  if (unaudited) throw new Error(`ticket without a creation audit record: ${JSON.stringify(unaudited)}`);
}

/**
 * Runs `runs` command sequences (up to `maxCommands` each) against one box with a fixed clock; each run
 * starts with an empty model and makes its own tickets. Throws fast-check's report (seed and the shrunk
 * sequence) on failure. `replayPath` replays a shrunk counterexample (fast-check's `path`).
 */
export async function fuzzWorkOrders(options: { runs: number; seed: number; maxCommands?: number; replayPath?: string }): Promise<WorkOrderReport> {
  // A Monday, 10:00 China time, inside the calendar the box ships with.
  const fixed = new Date('2026-12-07T02:00:00Z');
  const tb = await startTestBox({ now: () => fixed });
  const stats: WorkOrderReport = { seed: options.seed, runs: options.runs, commands: 0, perCommand: {} };
  try {
    const w = await world(tb, stats);
    // Each run starts with one to three tickets, so its commands have something to act on from the start.
    const property = fc.asyncProperty(fc.array(createCommand, { minLength: 1, maxLength: 3 }), fc.commands(commandArbitraries, { maxCommands: options.maxCommands ?? 40, size: '+1', ...(options.replayPath ? { replayPath: options.replayPath } : {}) }), async (first, cmds) => {
      const model: Model = { tickets: [], policy: tb.box.config.current().tickets.complaintReviewRequired ?? false };
      for (const c of first) await c.run(model, w);
      await fc.asyncModelRun(() => ({ model, real: w }), cmds);
      for (const t of model.tickets) await sameAsModel(w, t, 'end of run');
      invariants(tb);
    });
    const out = await fc.check(property, { numRuns: options.runs, seed: options.seed, ...(options.replayPath ? { path: options.replayPath } : {}) });
    // The report names the seed, the path and the shrunk sequence; what went wrong is the error's own message.
    if (out.failed) throw new Error(`${fc.defaultReportMessage(out)}\n${(out.errorInstance as Error | undefined)?.message ?? ''}`);
    return stats;
  } finally {
    await tb.close();
  }
}

/** One sequence of commands, written out (regression tests replay what the fuzzer found). */
export async function replayWorkOrders(build: (c: typeof sequence) => fc.AsyncCommand<Model, World>[]): Promise<WorkOrderReport> {
  const fixed = new Date('2026-12-07T02:00:00Z');
  const tb = await startTestBox({ now: () => fixed });
  const stats: WorkOrderReport = { seed: 0, runs: 1, commands: 0, perCommand: {} };
  try {
    const w = await world(tb, stats);
    const model: Model = { tickets: [], policy: false };
    for (const cmd of build(sequence)) await cmd.run(model, w);
    for (const t of model.tickets) await sameAsModel(w, t, 'end of replay');
    invariants(tb);
    return stats;
  } finally {
    await tb.close();
  }
}

/** Constructors for written-out sequences. */
export const sequence = {
  create: (who: ActorKey, type: Kind, phone: string | null = '13800138000', subject = subjects[0]!) => new CreateCommand(who, type, phone, subject),
  act: (who: Who, index: number | 'missing', action: Action, p: Partial<ActParams> = {}) =>
    new ActCommand(who, index === 'missing' ? { kind: 'missing' } : { kind: 'known', index }, action, { dept: 'a', due: 'none', satisfaction: 'satisfied', outcome: 'approved', into: { kind: 'known', index: 0 }, blank: false, ...p }),
  citizen: (mode: 'follow-up' | 'rating', index: number | 'missing', rightPhone = true, satisfaction: ActParams['satisfaction'] = 'satisfied') =>
    new CitizenCommand(mode, index === 'missing' ? { kind: 'missing' } : { kind: 'known', index }, rightPhone, satisfaction),
  observe: (who: ActorKey, q = '拒载') => new ObserveCommand(who, q),
  policy: (on: boolean) => new PolicyCommand('admin', on),
  move: (to: 'a' | 'b') => new MoveCommand(to),
};
