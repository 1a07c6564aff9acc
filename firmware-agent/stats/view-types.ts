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
