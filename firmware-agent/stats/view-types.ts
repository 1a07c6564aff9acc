// The statistics API's answers as types, with no runtime import: the server builds them (reports.ts,
// series.ts, kpis.ts, period.ts, calls/kpis.ts) and the web UI reads them (web-ui/src/pages/stats*.tsx), from
// this one file, so a field added or renamed on one side fails the type check of the other.

export type PeriodKind = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'custom';

export interface Period {
  kind: PeriodKind;
  /** First local day of the period. */
  from: string;
  /** First local day after the period (exclusive). */
  to: string;
  /** The period written the way it was asked for: 2026-11, 2026-Q4, 2026-W48, 2026-11-03, 2026-11-01..2026-11-15. */
  label: string;
}

export interface Ratio {
  numerator: number;
  denominator: number;
  /** numerator / denominator rounded to 4 decimals, or null when nothing was counted. */
  rate: number | null;
}

/** The eight 12328 KPIs (kpis.ts kpiKeys, in that order). */
export type KpiKey =
  | 'inquiryImmediateAnswerRate'
  | 'nonComplaintOnTimeRate'
  | 'immediateAnswerSatisfactionRate'
  | 'dispatchedVisitRate'
  | 'badReviewRectificationRate'
  | 'complaintOnTimeRate'
  | 'complaintReviewRate'
  | 'complaintVisitSatisfactionRate';

export interface UnavailableKpi {
  available: false;
  reason: string;
  reasonZh: string;
}

export type KpiValue = (Ratio & { available: true }) | UnavailableKpi;

export interface Score {
  /** 0–100, two decimals; null when no KPI had anything to count. */
  value: number | null;
  weights: Record<KpiKey, number>;
  /** The KPIs the score is made of (available, with a denominator); their weights are scaled to add up to 100. */
  counted: KpiKey[];
  usesDefaultWeights: boolean;
}

export interface TicketFilter {
  /** Local days, `to` exclusive. */
  from: string;
  to: string;
  /** A JT/T 1019.5 channel (jtChannels): the box channel codes it counts; 'other' also takes any unmapped code. */
  jtChannel?: string;
  type?: string;
  subtype?: string;
  domain?: string;
  /** Tickets whose region code starts with this prefix (2 digits: a province, 4: a city, 6: a county). */
  regionPrefix?: string;
  department?: number;
  /** Only tickets sent to a department and still open past their due time, or settled after it. */
  overdue?: boolean;
}

export interface Figure {
  key: string;
  zh: string;
  count: number;
  /** count / the table's total, 4 decimals; null when the total is 0. */
  share: number | null;
  /** Count in the previous period (环比) and the change (count − previous) / previous; null when previous is 0. */
  previous: number;
  momChange: number | null;
  /** Count a year earlier (同比) and the change. */
  yearAgo: number;
  yoyChange: number | null;
  filter: TicketFilter;
}

export interface DepartmentFigure {
  department: number;
  name: string;
  /** Tickets received in the period and sent to the department. */
  count: number;
  onTime: { numerator: number; denominator: number; rate: number | null };
  /** 退回: times the department sent one of these tickets back to the centre. */
  returns: number;
  overdue: number;
  filter: TicketFilter;
  overdueFilter: TicketFilter;
}

/** Call KPIs of a period from the call records (calls/kpis.ts). */
export interface CallKpi {
  offered: number;
  queued: number;
  answered: number;
  answeredWithin10s: number;
  /** 10秒接通率, 0..1; null when no call entered the queue. */
  answeredWithin10sRate: number | null;
  abandoned: number;
  abandonRate: number | null;
  asaMs: number | null;
  ahtMs: number | null;
  transferred: number;
  voicemail: number;
  callback: number;
  failed: number;
  routes: Record<string, number>;
}

/** GET /api/stats/report. */
export interface Report {
  period: Period;
  previous: Period;
  yearAgo: Period;
  timezone: string;
  computedAt: string;
  /** Set for a department user: the report covers only its tickets. */
  scope: { department: number } | null;
  total: Figure;
  tables: {
    channel: Figure[];
    type: Figure[];
    subtype: Figure[];
    domain: Figure[];
    region: { parent: string | null; level: 'province' | 'city' | 'county'; rows: Figure[] };
    department: DepartmentFigure[];
  };
  kpis: Record<KpiKey, KpiValue & { filter: TicketFilter }>;
  score: Score;
  /**
   * The telephone figures of the period and the one before (环比): 10秒接通率, abandonment, ASA and AHT
   * from the call records (calls/kpis.ts). Null in a department's report: departments take no calls.
   */
  calls: { current: CallKpi; previous: CallKpi } | null;
}

export interface Bucket {
  /** First local day of the bucket. */
  from: string;
  /** First local day after it (exclusive), clipped to the period. */
  to: string;
  count: number;
}

export interface TicketSeries {
  unit: 'day' | 'week';
  current: Bucket[];
  previous: Bucket[];
}

/** GET /api/stats/trend. */
export interface Trend extends TicketSeries {
  period: Period;
  previousPeriod: Period;
  scope: { department: number } | null;
}

export interface HourLoad {
  hour: number;
  /** Calls that arrived in this local hour (IVR included). */
  arrived: number;
  /** Of those, offered to the agents (queued), answered by an agent, and given up in the queue. */
  queued: number;
  answered: number;
  abandoned: number;
}

export interface HourlyLoad {
  from: string;
  to: string;
  /** Local days of the period with at least one call. */
  daysWithCalls: number;
  hours: HourLoad[];
}

/** GET /api/stats/hourly. */
export interface Hourly extends HourlyLoad {
  period: Period;
}

/** GET /api/stats/children: a box below, its figures of the period and its rank. */
export interface ChildFigures {
  region: string;
  name: string;
  daysExpected: number;
  daysReceived: number;
  /** Latest day the box sent figures for (any period), null when never. */
  lastDay: string | null;
  late: boolean;
  total: number;
  kpis: Record<KpiKey, KpiValue>;
  score: Score;
  /** 1 = best score; boxes without a score are unranked (null). */
  rank: number | null;
}

/** GET /api/stats/agents: an agent's figures of the period (绩效). */
export interface AgentFigures {
  agent: number;
  name: string;
  callsAnswered: number;
  talkSeconds: number;
  wrapUpSeconds: number;
  ticketsReceived: number;
  instantAnswers: number;
  /** Satisfied or basically satisfied over visited, of the tickets the agent received. */
  satisfaction: Ratio;
  /** 质检: inspections of the agent's calls in the period and their average score (0–100, null when none). */
  qa: { inspected: number; averageScore: number | null };
}

// The capacity planner (容量规划, GET /api/stats/capacity): busy-hour.ts measures, erlang.ts plans.

export interface BusyHour {
  /** Window: the `days` local days before `to` (exclusive), in the box's time zone. */
  from: string;
  to: string;
  days: number;
  /** Days in the window with at least one call offered to the agents. */
  daysWithCalls: number;
  /** Local hour of day (0–23) of the busy hour, null without calls. */
  hourOfDay: number | null;
  /** Mean calls offered in that hour over the days with calls. */
  callsPerHour: number;
  offered: number;
  answered: number;
  abandoned: number;
  /** Mean talk time of answered calls, seconds (null when none was answered). */
  talkSeconds: number | null;
  wrapUpSeconds: number;
  /** talkSeconds + wrapUpSeconds (null when no call was answered). */
  ahtSeconds: number | null;
  /** Mean wait of callers who abandoned in the queue, seconds. */
  patienceSeconds: number | null;
}

export interface SeatFigures {
  seats: number;
  /** Share of calls answered within the target time, 0..1. */
  serviceLevel: number;
  /** Probability of waiting at all, 0..1. */
  probabilityWait: number;
  /** Average speed of answer, seconds (Infinity when the seats cannot carry the traffic). */
  asaSeconds: number;
  /** Share of the seats' time spent handling calls, 0..1 (above 1: overloaded). */
  occupancy: number;
}

export interface PlanInput {
  callsPerHour: number;
  ahtSeconds: number;
  /** Service-level target: this share of calls answered within targetSeconds. Default 0.8 (80/10). */
  targetServiceLevel?: number;
  targetSeconds?: number;
  /** Trunk blocking target (grade of service). Default 0.01. */
  blocking?: number;
  /**
   * Seconds a call holds a trunk. Default: the IVR, the wait and the conversation — ivrSeconds + ASA at the
   * planned seats + AHT — since a caller in the queue holds a circuit too.
   */
  trunkHoldSeconds?: number;
  /** Seconds in the IVR before queueing, used for the default trunk hold. Default 20. */
  ivrSeconds?: number;
}

export interface Plan {
  input: Required<Omit<PlanInput, 'trunkHoldSeconds'>> & { trunkHoldSeconds: number; trunkHoldDefaulted: boolean };
  /** Offered traffic at the seats, erlangs. */
  trafficErlangs: number;
  seats: SeatFigures;
  trunks: { trunks: number; blocking: number; trafficErlangs: number; holdSeconds: number };
  /** Service level by seats, from the least that can carry the traffic to a few beyond the plan. */
  table: SeatFigures[];
}

/** GET /api/stats/capacity as the route builds it; `reason` says why there is no plan. */
export interface CapacityAnswer {
  busyHour: BusyHour | null;
  plan: Plan | null;
  reason?: string;
}

/** Seat figures as they reach the page: JSON has no Infinity, so the ASA or occupancy of seats that cannot carry the traffic arrives as null. */
export type SeatFiguresOnWire = Omit<SeatFigures, 'asaSeconds' | 'occupancy'> & { asaSeconds: number | null; occupancy: number | null };

/** GET /api/stats/capacity as the capacity page reads it. */
export interface CapacityView {
  busyHour: BusyHour | null;
  plan: (Omit<Plan, 'seats' | 'table'> & { seats: SeatFiguresOnWire; table: SeatFiguresOnWire[] }) | null;
  reason?: string;
}

// A box's daily statistics (daily.ts; the stats.daily message a province keeps per box and day, and
// GET /api/network/stats lists side by side).

export interface DailyStats {
  region: string;
  day: string;
  computedAt: string;
  volumes: {
    total: number;
    byType: Record<string, number>;
    byDomain: Record<string, number>;
    byChannel: Record<string, number>;
    /** Of the day's tickets: transferred here from other boxes, and sent elsewhere for handling. */
    transferredIn: number;
    transferredOut: number;
  };
  /** The eight KPIs of kpis.ts over the day's tickets as they stand at `computedAt`. */
  kpis: Record<KpiKey, Ratio>;
  /** Call KPIs (calls/kpis.ts definitions) of the calls that arrived on the day; absent without calls tables. */
  calls?: CallFigures;
}

export interface CallFigures {
  offered: number;
  /** Calls that entered the queue (转人工): the denominator of the two rates. */
  queued: number;
  answered: number;
  abandoned: number;
  /** 10秒接通率. */
  answeredWithin10sRate: Ratio;
  /** 放弃率. */
  abandonmentRate: Ratio;
  /** Average speed of answer (queue entry → agent answer), seconds, one decimal; null when none answered. */
  averageSpeedOfAnswerSeconds: number | null;
  /** Sum of the answered calls' waits, seconds (with `answered`, lets a level above average exactly). */
  answerWaitSeconds: number;
}

/** GET /api/stats/tickets: one ticket behind a figure (reports.ts listTickets). */
export interface FigureTicket {
  number: string;
  type: string;
  subtype: string | null;
  domain: string;
  channel: string;
  region: string;
  status: string;
  department: number | null;
  subject: string;
  createdAt: string;
  dueAt: string | null;
  settledAt: string | null;
  satisfaction: string | null;
  reopenCount: number;
}

/** GET and PUT /api/stats/weights: the composite score's weights in force, and the documented defaults. */
export interface WeightsView {
  weights: Record<KpiKey, number>;
  defaults: Record<KpiKey, number>;
  usesDefaultWeights: boolean;
}
