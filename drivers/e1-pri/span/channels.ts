/**
 * B-channel allocation for one span. Outgoing calls hunt from opposite ends on the two sides
 * (CPE from the highest channel down, the network from the lowest up) so that glare — both sides
 * seizing the same channel at once (Q.931 §5.1.2, §5.2.3.1) — only happens on a nearly full span.
 */
export class ChannelPool {
  private readonly inService: Set<number>;
  private readonly busy = new Map<number, string>();

  constructor(channels: readonly number[], private readonly side: 'cpe' | 'network') {
    this.inService = new Set(channels);
  }

  get size(): number {
    return this.inService.size;
  }
  inServiceList(): number[] {
    return [...this.inService].sort((a, b) => a - b);
  }
  inUse(): number[] {
    return [...this.busy.keys()].sort((a, b) => a - b);
  }
  isInService(ch: number): boolean {
    return this.inService.has(ch);
  }
  owner(ch: number): string | undefined {
    return this.busy.get(ch);
  }
  isFree(ch: number): boolean {
    return this.inService.has(ch) && !this.busy.has(ch);
  }
  take(ch: number, callId: string): void {
    this.busy.set(ch, callId);
  }
  release(ch: number, callId: string): void {
    if (this.busy.get(ch) === callId) this.busy.delete(ch);
  }
  clear(): void {
    this.busy.clear();
  }
  /** The channel an outgoing call should seize, or undefined when the span is full. */
  hunt(): number | undefined {
    const list = this.inServiceList();
    if (this.side === 'cpe') list.reverse();
    return list.find((c) => !this.busy.has(c));
  }
}
