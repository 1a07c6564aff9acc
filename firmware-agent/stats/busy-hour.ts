// The busy hour (忙时) of the centre from its own call records, as capacity planning (stats/erlang.ts) needs
// it: the hour of the day with the most calls offered to the agents, averaged over the days in the window
// that had any, with the mean handle time (talk + the configured wrap-up) and how long callers who gave up
// had waited (their patience). Counted from `calls`: a call is offered to the agents when it was queued.
import type { Db } from '../store/db.js';
import { addDays, localDay, localTime } from '../calendar/time.js';
import type { BusyHour } from './view-types.js';

export type { BusyHour } from './view-types.js';

interface Row {
  queued_at: number;
  agent_answered_at: number | null;
  ended_at: number | null;
  abandoned_at: number | null;
}

export function busyHourFromHistory(db: Db, opts: { now: Date; timezone: string; days?: number; wrapUpSeconds: number }): BusyHour {
  const days = opts.days ?? 28;
  const to = localDay(opts.now, opts.timezone);
  const from = addDays(to, -days);
  const sinceMs = localTime(from, opts.timezone).getTime();
  const untilMs = localTime(to, opts.timezone).getTime();
  const rows = db
    .prepare('SELECT queued_at, agent_answered_at, ended_at, abandoned_at FROM calls WHERE arrived_at >= ? AND arrived_at < ? AND queued_at IS NOT NULL')
    .all(sinceMs, untilMs) as Row[];
  const perHour = new Array<number>(24).fill(0);
  const daysSeen = new Set<string>();
  let talkMs = 0;
  let answered = 0;
  let waitAbandonMs = 0;
  let abandoned = 0;
  const hourFmt = new Intl.DateTimeFormat('en-GB', { timeZone: opts.timezone, hour: '2-digit', hourCycle: 'h23' });
  for (const r of rows) {
    const at = new Date(r.queued_at);
    daysSeen.add(localDay(at, opts.timezone));
    perHour[Number(hourFmt.format(at)) % 24]! += 1;
    if (r.agent_answered_at !== null && r.ended_at !== null && r.ended_at >= r.agent_answered_at) {
      talkMs += r.ended_at - r.agent_answered_at;
      answered += 1;
    } else if (r.abandoned_at !== null && r.abandoned_at >= r.queued_at) {
      waitAbandonMs += r.abandoned_at - r.queued_at;
      abandoned += 1;
    }
  }
  const busiest = rows.length ? perHour.indexOf(Math.max(...perHour)) : null;
  const talkSeconds = answered ? talkMs / answered / 1000 : null;
  return {
    from,
    to,
    days,
    daysWithCalls: daysSeen.size,
    hourOfDay: busiest,
    callsPerHour: busiest === null ? 0 : perHour[busiest]! / daysSeen.size,
    offered: rows.length,
    answered,
    abandoned,
    talkSeconds,
    wrapUpSeconds: opts.wrapUpSeconds,
    ahtSeconds: talkSeconds === null ? null : talkSeconds + opts.wrapUpSeconds,
    patienceSeconds: abandoned ? waitAbandonMs / abandoned / 1000 : null,
  };
}
