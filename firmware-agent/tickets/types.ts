// The ticket service's inputs and outputs (tickets/service.ts), apart so the parts of the service and its
// users share them without importing the service.
import type { Actor } from '../accounts/actor.js';
import type { Channel, ReviewOutcome, Satisfaction, TicketAction, TicketStatus, TicketType } from './codes.js';
import type { TicketRow, TicketView } from './model.js';

export interface CreateTicketInput {
  type: TicketType;
  subtype?: string | null;
  domain: string;
  channel: Channel;
  region: string;
  caller: { phone?: string | null; name?: string | null; anonymous?: boolean };
  confidential?: boolean;
  urgent?: boolean;
  subject: string;
  description: string;
  location?: string | null;
  involved?: { plate?: string; company?: string } | null;
  callId?: string | null;
}

export interface ActionInput {
  department?: number;
  dueAt?: string;
  reason?: string;
  text?: string;
  satisfaction?: Satisfaction;
  note?: string;
  into?: string;
  /** review (复核): approved, or returned to the department. */
  outcome?: ReviewOutcome;
}

export interface TicketChange {
  ticket: TicketRow;
  /**
   * 'receive': a ticket transferred here from another box (network, actor role 'peer').
   * 'amend': the description completed outside the workflow by a channel (amendDescription).
   */
  action: TicketAction | 'create' | 'receive' | 'amend' | 'handover';
  from: TicketStatus | null;
  to: TicketStatus;
  actor: Actor;
  at: Date;
  auditId: number;
  note: string | null;
}

/** A ticket handed over by another box (network), as this box stores it. */
export interface TransferredTicket {
  id: string;
  number: string;
  type: TicketType;
  subtype: string | null;
  domain: string;
  channel: Channel;
  region: string;
  callerPhone: string | null;
  callerName: string | null;
  anonymous: boolean;
  confidential: boolean;
  urgent: boolean;
  subject: string;
  description: string;
  location: string | null;
  involved: { plate?: string; company?: string } | null;
  dueAt: string | null;
  createdAt: string;
  /** Address of the box that took the call. */
  originRegion: string;
}

export type PeerUpdate =
  | { event: 'result'; kind: 'answer' | 'reply'; text: string; handlerRegion: string }
  | { event: 'visit'; satisfaction: Satisfaction; note: string | null };

export interface ListFilter {
  q?: string;
  status?: TicketStatus[];
  type?: TicketType;
  domain?: string;
  department?: number;
  overdue?: boolean;
  dueSoon?: boolean;
  mine?: boolean;
  caller?: string;
  urgent?: boolean;
  /** The return-visit worklist (回访): replied tickets, and tickets answered at once not yet visited. */
  awaitingVisit?: boolean;
  /** The review worklist (复核): replied complaints a department here answered whose result is not approved yet. */
  awaitingReview?: boolean;
  page?: number;
  pageSize?: number;
}

export interface ListResult {
  items: TicketView[];
  page: number;
  pageSize: number;
  /** Number of matches, counted up to `totalCap`; `totalCapped` says the real number is larger. */
  total: number;
  totalCapped: boolean;
}
