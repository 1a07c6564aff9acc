// Which of two snapshots of live state is the later (pure: no DOM, unit-tested from test/unit).
import type { AgentSnapshot } from '../../firmware-agent/calls/view-types.js';

/**
 * The later of two snapshots of an agent's state, by the box's `rev`. A desk hears its agent's state from
 * answers (making the agent ready) and from the live stream, and an answer made before an offer can arrive
 * after the offer's event: taking it as it comes would hide the offer.
 */
export function laterAgent(cur: AgentSnapshot | null, next: AgentSnapshot): AgentSnapshot {
  return cur && cur.agentId === next.agentId && cur.rev > next.rev ? cur : next;
}
