/**
 * Where a span's B-channel audio comes from and goes to. The media hub (media-hub.ts: DTMF, prompts,
 * recordings, hairpins) is the same for every transport; a transport only moves 20 ms A-law frames:
 *  - `socket` (socket-transport.ts): one Unix stream socket the box listens on, records of channel + 160
 *    bytes (frames.ts) — gateways and the telco simulator;
 *  - `dahdi` (dahdi-transport.ts): one `/dev/dahdi/channel` fd per B-channel, as on a DAHDI card.
 */
export interface BChannelSink {
  /** One received frame (160 bytes A-law) on B-channel `channel` (E1 timeslot number). */
  onRx(channel: number, frame: Buffer): void;
  /**
   * The span's alarm state (DAHDI_ALARM_* bits, 0 = none) as the card reports it. Transports without
   * a notion of alarms never call it.
   */
  onAlarm(alarms: number): void;
  onError(e: unknown): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void;
}

export interface BChannelTransport {
  /** Listen on the socket / open and set up the channel devices. Rejects with E1Error. */
  open(): Promise<void>;
  /** One 20 ms frame towards the far end on `channel`. Dropped when there is nowhere to send it. */
  send(channel: number, frame: Buffer): void;
  /** A peer is connected (socket) / the channel devices are open (DAHDI). */
  readonly connected: boolean;
  close(): void;
}
