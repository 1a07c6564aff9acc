// Shared types of the call domain: the in-memory context of a call in progress, the ticket sink the IVR
// creates tickets through, and the logger shape.
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/log.js';
import type { CallOffered, HangupEvent, TrunkDriver } from '../../drivers/trunk/types.js';
import type { Acd } from './acd.js';
import type { CallbackTasks } from './callbacks.js';
import type { CallsConfig } from './config.js';
import type { LiveEvents } from './events.js';
import type { WorkdayCalendar } from './hours.js';
import type { PromptId, PromptLibrary } from './prompts.js';
import type { CallRecords } from './records.js';

/** What the IVR needs to create a ticket (voicemail). The composition root wires it to TicketService. */
export interface CallTicketInput {
  type: 'inquiry' | 'suggestion' | 'complaint';
  subject: string;
  description: string;
  callerPhone: string | null;
  callId: string;
  urgent?: boolean;
}

export interface TicketSink {
  create(input: CallTicketInput): { number: string };
  /** Names the call on a ticket linked to it after it was taken (when the ticket names none yet). */
  linkCall?(ticketNumber: string, callId: string): void;
}

/**
 * Sends a text message to a caller (the ticket number of a missed call). The composition root wires it to
 * the SMS channel's durable outbox where the box has one; without one the flow sends nothing.
 */
export type CallerSms = (to: string, text: string, ticketNumber: string) => void;


export interface CallContext {
  offered: CallOffered;
  legacy: boolean;
  afterHours: boolean;
  /** Aborted when the call ends (hang-up or driver failure): every wait in the flow listens to it. */
  ac: AbortController;
  ended: boolean;
  failed: boolean;
  hangup?: HangupEvent;
  prompts: string[];
  route?: string;
  ticketType: CallTicketInput['type'] | null;
  queuedAt?: number;
  ringingAgent?: number;
  agentId?: number;
  agentAnsweredAt?: number;
  /** The open `agent` leg of the call record, closed when the agent's side is released. */
  agentLeg?: number;
  /** Skill the call was queued for (kept for a re-queue after a failed agent transfer). */
  skill?: string | null;
  /** An agent's transfer is under way: the agent is released and a second transfer is refused. */
  transferring?: boolean;
  /** The conversation recording runs (started once per call, whichever agent answers). */
  recording?: boolean;
  transferredTo?: string;
  announced?: boolean;
  voicemailFile?: string;
  callbackId?: string;
  /** A water-distress caller on the fallback path (no transfer, or it failed): queued at the head. */
  distress?: boolean;
  /** The IVR menu digit the caller chose. */
  menuChoice?: string;
  /** The ticket the box filed itself for this call (a missed call, an untransferred distress call). */
  boxTicket?: string;
}

export interface FlowDeps {
  driver: TrunkDriver;
  config: Readonly<CallsConfig>;
  clock: Clock;
  calendar: WorkdayCalendar;
  records: CallRecords;
  acd: Acd;
  callbacks: CallbackTasks;
  events: LiveEvents;
  prompts: PromptLibrary;
  tickets: TicketSink | null;
  sms: CallerSms | null;
  log: Logger;
  newId: () => string;
  /** Called when a call's route is decided (bench: event → routing decision latency). */
  onRouted?: (callId: string, route: string) => void;
}

/** The steps of a call's flow (flow.ts) that the modules it delegates to (unanswered.ts, referral.ts) may take. */
export interface CallVoice {
  /** Plays a prompt; false if the caller is gone. */
  play(id: PromptId, interruptible?: boolean): Promise<boolean>;
  /** Hangs up, ignoring a call already gone. */
  hangup(): Promise<void>;
  routed(route: string, target?: string): void;
  /** Transfers the caller to an outside number; true once connected. */
  transfer(number: string): Promise<boolean>;
  /** Puts the caller through to a person (no ticket type or skill), `why` recorded. */
  toAgent(why: string): Promise<void>;
}
