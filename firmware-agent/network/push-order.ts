// Ordered pushes (docs/exchange.md §2.4): a box below may send its next batch before the answer to the last
// one has come back, so the upstream is never idle between batches during a catch-up. Such a batch names the
// batch it follows (x-edgebox-follows: the SHA-256 of that batch's body, covered by the request signature),
// and the upstream applies it only right after that batch, from the same box, has been applied here:
// - the batch it follows was the last one applied from that box in this process: apply;
// - that batch is still being received or applied here: wait for it, then decide again;
// - anything else (it failed, it never came, the upstream restarted in between): refuse with
//   exchange-out-of-order, applying nothing; the sender sends the batch again once the one before is answered.
// So pipelining never reorders messages, whatever the network does to the two requests.
import { AppError } from '../errors.js';

export class PushOrder {
  /** Per box below: the body hash of the last batch applied from it in this process. */
  readonly #last = new Map<string, string>();
  /** Per box below: its batches being received or applied here, by body hash, each settling when done. */
  readonly #open = new Map<string, Map<string, Promise<boolean>>>();

  /**
   * A batch from `peer` with body hash `sha` has arrived (its headers authenticated). Returns the function
   * that settles it: `true` once applied (it becomes the last), `false` when it ended any other way. Only
   * the first call of that function counts.
   */
  begin(peer: string, sha: string): (applied: boolean) => void {
    let open = this.#open.get(peer);
    if (!open) this.#open.set(peer, (open = new Map()));
    let resolve!: (applied: boolean) => void;
    const done = new Promise<boolean>((r) => (resolve = r));
    // A batch sent again while the first copy is still here: the later copy is the one waited for.
    open.set(sha, done);
    let settled = false;
    return (applied) => {
      if (settled) return;
      settled = true;
      if (applied) this.#last.set(peer, sha);
      if (open.get(sha) === done) open.delete(sha);
      if (open.size === 0) this.#open.delete(peer);
      resolve(applied);
    };
  }

  /** Resolves when a batch that follows `follows` may be applied; throws exchange-out-of-order otherwise. */
  async after(peer: string, follows: string): Promise<void> {
    if (this.#last.get(peer) === follows) return;
    const before = this.#open.get(peer)?.get(follows);
    if (before && (await before) && this.#last.get(peer) === follows) return;
    throw new AppError('exchange-out-of-order', `this batch follows batch ${follows.slice(0, 12)}…, which was not the last one applied here from ${peer}; send it again after that batch is answered`, {
      follows,
    });
  }
}
