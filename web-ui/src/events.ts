// The box's live event streams (server-sent events) with reconnection: /api/ui/events (tickets, KB) and,
// when the calls subsystem is present, /api/events (calls, agents, queue). EventSource retries by itself
// after a dropped connection; when the server refuses the stream (it closes for good) we retry with
// backoff up to 30 s, so a box restart or a cable pull heals without a page reload.
type Handler = (data: any) => void;

const handlers = new Map<string, Set<Handler>>();
const statusListeners = new Set<(up: boolean) => void>();
const sources: EventSource[] = [];
let connected = false;
let started = false;

export function on(type: string, fn: Handler): () => void {
  let s = handlers.get(type);
  if (!s) handlers.set(type, (s = new Set()));
  s.add(fn);
  return () => s!.delete(fn);
}

export function onStatus(fn: (up: boolean) => void): () => void {
  statusListeners.add(fn);
  fn(connected);
  return () => statusListeners.delete(fn);
}

function setConnected(up: boolean): void {
  if (up === connected) return;
  connected = up;
  statusListeners.forEach((f) => f(up));
}

function dispatch(type: string, raw: string): void {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return;
  }
  handlers.get(type)?.forEach((f) => f(data));
  handlers.get('*')?.forEach((f) => f({ type, ...(data as object) }));
}

const uiTypes = ['ticket.changed', 'kb.changed'];
export const callTypes = ['call.arrived', 'call.routed', 'call.offered', 'call.connected', 'call.ended', 'callback.offered', 'agent.state', 'queue.state', 'trunk.state'];

function open(url: string, types: string[], primary: boolean, attempt = 0): void {
  const es = new EventSource(url);
  sources.push(es);
  let wasDown = false;
  es.onopen = () => {
    const resync = wasDown || attempt > 0;
    attempt = 0;
    wasDown = false;
    if (primary) setConnected(true);
    // Changes made while the stream was down were not delivered: pages reload what they show.
    if (primary && resync) handlers.get('ticket.changed')?.forEach((f) => f({ resync: true }));
  };
  // Streams may name events or send them all as "message" with a `type` field.
  for (const ty of types) es.addEventListener(ty, (e) => dispatch(ty, (e as MessageEvent).data));
  es.onmessage = (e) => {
    try {
      const d = JSON.parse(e.data) as { type?: string };
      if (d.type) dispatch(d.type, e.data);
    } catch {
      /* ignore */
    }
  };
  es.onerror = () => {
    wasDown = true;
    if (primary) setConnected(false);
    if (es.readyState === EventSource.CLOSED) {
      sources.splice(sources.indexOf(es), 1);
      const delay = Math.min(30000, 1000 * 2 ** attempt);
      setTimeout(() => started && open(url, types, primary, attempt + 1), delay);
    }
  };
}

export function start(withCalls: boolean): void {
  if (started) return;
  started = true;
  open('/api/ui/events', uiTypes, true);
  if (withCalls) open('/api/events', callTypes, false);
}

export function stop(): void {
  started = false;
  sources.splice(0).forEach((s) => s.close());
  setConnected(false);
}
