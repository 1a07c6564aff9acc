// Where a ticket stands with 12345 (GET /api/gov12345/tickets/:number), as types with no runtime import: the
// service builds it (service.ts ticketState) and the ticket page reads it (web-ui/src/pages/ticket-12345.tsx),
// from this one file.

export type Gov12345State =
  | 'none'
  | 'transfer-queued'
  | 'transfer-delivered'
  | 'transfer-rejected'
  | 'result-received'
  | 'visit-queued'
  | 'visit-delivered'
  | 'visit-rejected'
  | 'received'
  | 'result-queued'
  | 'result-delivered'
  | 'result-rejected';

export interface Gov12345TicketState {
  number: string;
  /** The enabled platforms (what a transfer may name). */
  platforms: { id: string; name: string }[];
  canTransfer: boolean;
  link: { platform: string; platformName: string; direction: 'out' | 'in'; remoteRef: string; at: string } | null;
  state: Gov12345State;
  sent: { id: string; kind: string; queuedAt: string; deliveredAt: string | null; attempts: number; lastError: string | null; rejectedCode: string | null }[];
  received: { id: string; kind: string; receivedAt: string }[];
}
