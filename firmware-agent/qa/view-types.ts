// 质检 as the API gives it, as types with no runtime import: the QA service builds them (service.ts) and the
// web UI's QA page reads them (web-ui/src/pages/qa.tsx), from this one file.

/** A criterion of the scoring form (config qa.criteria). */
export interface Criterion {
  key: string;
  zh: string;
  en: string;
  maxPoints: number;
  weight: number;
}

export interface Inspection {
  id: number;
  callId: string;
  agent: { id: number; name: string };
  inspector: { id: number | null; name: string };
  form: Criterion[];
  points: Record<string, number>;
  score: number;
  comment: string | null;
  callAt: string;
  createdAt: string;
  /** Set once the points were corrected: when and by whom (the reason is in the audit trail). */
  corrected: { at: string; by: string } | null;
}

/** GET /api/qa/calls: an agent's part of a recorded call, and its inspection when there is one. */
export interface RecordedCall {
  callId: string;
  caller: string | null;
  arrivedAt: number;
  endedAt: number | null;
  legStartedAt: number;
  legEndedAt: number | null;
  agentId: number;
  agentName: string;
  talkSeconds: number | null;
  inspectionId: number | null;
  score: number | null;
}
