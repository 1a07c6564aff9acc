// The knowledge base down the network (知识库同步): a box's own articles go to every box below as they
// change, and a newly paired box below is seeded with every article it should hold.
import { type ArticleBody, type Envelope, newEnvelope } from './messages.js';
import type { NetworkService } from './service.js';

export class KbRelay {
  constructor(private readonly net: NetworkService) {}

  /**
   * Sends this box's own articles (not city-scoped, not owned upstream) changed since the last pump down to
   * every box below, advancing the durable cursor in the same transaction (a crash re-sends nothing twice
   * and loses nothing).
   */
  pump(): number {
    const kb = this.net.kb;
    if (!kb || this.net.deps.role() === 'city') return 0;
    let sent = 0;
    for (;;) {
      const more = this.net.deps.db.transaction(() => {
        const page = kb.changedSince(this.net.meta('kb-rev'), 200);
        const at = this.net.deps.now();
        for (const a of page.items) {
          if (a.upstream || a.scope === 'city') continue;
          const { rev: _rev, upstream: _up, ...article } = a;
          this.net.send(newEnvelope<ArticleBody>('kb.article', this.net.address(), '*', at, article), at);
          sent++;
        }
        this.net.setMeta('kb-rev', page.rev);
        return page.more;
      })();
      if (!more) return sent;
    }
  }

  /** Queues every article a newly paired box below should hold (own and upstream, not city-scoped). */
  seedFor(hop: string): void {
    const kb = this.net.kb;
    if (!kb) return;
    let since = 0;
    const at = this.net.deps.now();
    for (;;) {
      const page = kb.changedSince(since, 200);
      for (const a of page.items) {
        if (a.scope === 'city') continue;
        const { rev: _rev, upstream: _up, ...article } = a;
        if (a.upstream) {
          // Only its origin can sign an article from above: the envelope kept as it was received goes down
          // byte for byte (none for an article received before origin signatures: it comes with its next change).
          const kept = this.net.store.kbEnvelope(a.uid);
          const parsed = kept ? (JSON.parse(kept) as Envelope<ArticleBody>) : undefined;
          if (kept && parsed) this.net.store.enqueueRaw(parsed.id, parsed.kind, null, kept, hop, at);
          else this.net.deps.log?.warn({ uid: a.uid, hop }, 'article from above without its signed envelope; not seeded');
          continue;
        }
        this.net.store.enqueue(newEnvelope<ArticleBody>('kb.article', this.net.address(), '*', at, article), hop, at);
      }
      since = page.rev;
      if (!page.more) break;
    }
    this.net.notifier.notify(hop);
  }
}
