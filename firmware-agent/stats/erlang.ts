// Capacity planning (容量规划): how many agent seats (座席) and how many trunk circuits (中继) a centre needs
// for its busiest hour. Seats follow Erlang C (callers wait in a queue of unlimited size, served in order by
// N agents; Poisson arrivals, exponential handling times); trunks follow Erlang B (a call finding every
// circuit busy is blocked). Both are the textbook models a telephony planner checks against published tables
// (test/unit/stats-erlang.test.ts does). Their limits, stated once: Erlang C ignores abandonment — callers who
// give up make the real service level better than computed, so the seat figure errs on the safe side — and
// both assume the busy hour's traffic is steady.
//
// Definitions (A = offered traffic in erlangs = calls per hour × handle time in seconds / 3600):
//   Erlang B     B(A, 0) = 1;  B(A, m) = A·B(A, m−1) / (m + A·B(A, m−1))      (numerically stable recursion)
//   Erlang C     Pw = N·B(A, N) / (N − A·(1 − B(A, N)))   for N > A, else 1  (probability a caller waits)
//   service level  SL(t) = 1 − Pw·e^(−(N − A)·t / AHT)                       (answered within t seconds)
//   ASA          Pw·AHT / (N − A)                                            (average speed of answer)
//   occupancy    A / N

import type { Plan, PlanInput, SeatFigures } from './view-types.js';

export type { Plan, PlanInput, SeatFigures } from './view-types.js';

export function erlangB(traffic: number, servers: number): number {
  if (!(traffic >= 0) || !Number.isFinite(traffic)) throw new RangeError('traffic must be a finite number of erlangs ≥ 0');
  if (!Number.isInteger(servers) || servers < 0) throw new RangeError('servers must be an integer ≥ 0');
  let b = 1;
  for (let m = 1; m <= servers; m++) b = (traffic * b) / (m + traffic * b);
  return b;
}

/** Probability that a caller has to wait (Erlang C); 1 when the seats cannot carry the traffic (N ≤ A). */
export function erlangC(traffic: number, seats: number): number {
  if (seats <= traffic) return 1;
  const b = erlangB(traffic, seats);
  return (seats * b) / (seats - traffic * (1 - b));
}

export function seatFigures(traffic: number, seats: number, ahtSeconds: number, targetSeconds: number): SeatFigures {
  const pw = erlangC(traffic, seats);
  const stable = seats > traffic;
  return {
    seats,
    serviceLevel: stable ? Math.max(0, 1 - pw * Math.exp((-(seats - traffic) * targetSeconds) / ahtSeconds)) : 0,
    probabilityWait: pw,
    asaSeconds: stable ? (pw * ahtSeconds) / (seats - traffic) : Infinity,
    occupancy: seats > 0 ? traffic / seats : Infinity,
  };
}

export class PlanError extends Error {
  readonly code = 'erlang-input-invalid';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'PlanError';
  }
}

const limits = {
  callsPerHour: [0, 100_000],
  ahtSeconds: [1, 86_400],
  targetSeconds: [0, 3_600],
  trunkHoldSeconds: [1, 86_400],
  ivrSeconds: [0, 3_600],
} as const;

function check(field: string, v: number, lo: number, hi: number, open = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new PlanError(field, 'must be a number');
  if (open ? !(v > lo && v < hi) : !(v >= lo && v <= hi)) throw new PlanError(field, `must be ${open ? 'between' : 'from'} ${lo} ${open ? 'and' : 'to'} ${hi}${open ? ' (exclusive)' : ''}`);
  return v;
}

/** Seats for the service level and trunks for the blocking target. Throws PlanError naming a bad input. */
export function plan(input: PlanInput): Plan {
  const callsPerHour = check('callsPerHour', input.callsPerHour, ...limits.callsPerHour);
  if (callsPerHour <= 0) throw new PlanError('callsPerHour', 'must be more than 0');
  const ahtSeconds = check('ahtSeconds', input.ahtSeconds, ...limits.ahtSeconds);
  const targetServiceLevel = check('targetServiceLevel', input.targetServiceLevel ?? 0.8, 0, 1, true);
  const targetSeconds = check('targetSeconds', input.targetSeconds ?? 10, ...limits.targetSeconds);
  const blocking = check('blocking', input.blocking ?? 0.01, 0, 1, true);
  const ivrSeconds = check('ivrSeconds', input.ivrSeconds ?? 20, ...limits.ivrSeconds);
  const traffic = (callsPerHour * ahtSeconds) / 3600;

  let seats = Math.max(1, Math.floor(traffic) + 1);
  let figures = seatFigures(traffic, seats, ahtSeconds, targetSeconds);
  // SL rises with every seat added beyond A; the loop ends at the first seat count that meets the target.
  while (figures.serviceLevel < targetServiceLevel) {
    seats += 1;
    figures = seatFigures(traffic, seats, ahtSeconds, targetSeconds);
  }

  const trunkHoldDefaulted = input.trunkHoldSeconds === undefined;
  const holdSeconds = trunkHoldDefaulted ? ivrSeconds + figures.asaSeconds + ahtSeconds : check('trunkHoldSeconds', input.trunkHoldSeconds!, ...limits.trunkHoldSeconds);
  const trunkTraffic = (callsPerHour * holdSeconds) / 3600;
  let trunks = 1;
  let b = erlangB(trunkTraffic, trunks);
  while (b > blocking) {
    trunks += 1;
    b = (trunkTraffic * b) / (trunks + trunkTraffic * b); // the recursion, one step further
  }

  const first = Math.max(1, Math.floor(traffic) + 1);
  const table: SeatFigures[] = [];
  for (let n = first; n <= Math.max(seats + 3, first + 5); n++) table.push(seatFigures(traffic, n, ahtSeconds, targetSeconds));

  return {
    input: { callsPerHour, ahtSeconds, targetServiceLevel, targetSeconds, blocking, ivrSeconds, trunkHoldSeconds: holdSeconds, trunkHoldDefaulted },
    trafficErlangs: traffic,
    seats: figures,
    trunks: { trunks, blocking: b, trafficErlangs: trunkTraffic, holdSeconds },
    table,
  };
}
