// Knowledge-base installer: builds the service (one per box), seeds the demo articles with --demo,
// and mounts the KB routes. Other subsystems (the three-level network) get the service with `knowledgeBase(box)`:
//   kb.upsertUpstream(article, actor)  applies an article owned upstream at its version (idempotent)
//   kb.changedSince(rev)               articles changed after a local revision, to push down
//   kb.onChanged(fn)                   after-commit notification of every change
import { systemActor } from '../accounts/service.js';
import type { Box, BoxOptions } from '../app.js';
import type { BoxServices } from '../box.js';
import { localDay } from '../calendar/time.js';
import { kbCitationRoutes } from './citation-routes.js';
import { kbRoutes } from './routes.js';
import { seedArticles } from './seed.js';
import { KnowledgeBase } from './service.js';
import type { KbScope } from './types.js';

const instances = new WeakMap<BoxServices['db'], KnowledgeBase>();

/** The box's knowledge-base service (created on first use, shared by every subsystem). */
export function knowledgeBase(box: BoxServices): KnowledgeBase {
  let kb = instances.get(box.db);
  if (!kb) {
    const tz = box.config.current().box.timezone;
    kb = new KnowledgeBase({
      db: box.db,
      audit: box.tickets.audit,
      boxRegion: () => box.config.current().box.region,
      boxScope: () => box.config.current().box.role as KbScope,
      now: box.now,
      today: () => localDay(box.now(), tz),
    });
    instances.set(box.db, kb);
  }
  return kb;
}

/** Seeds the demo articles once (kb_meta.seeded), in one transaction. Returns how many were added. */
export function seedKnowledgeBase(box: BoxServices, kb: KnowledgeBase): number {
  const seeded = box.db.prepare("SELECT value FROM kb_meta WHERE key = 'seeded'").get() as { value: number };
  if (seeded.value) return 0;
  box.db.transaction(() => {
    for (const a of seedArticles) kb.create(a, systemActor);
    box.db.prepare("UPDATE kb_meta SET value = 1 WHERE key = 'seeded'").run();
  })();
  return seedArticles.length;
}

export async function installKb(box: Box, opts: BoxOptions): Promise<void> {
  const kb = knowledgeBase(box);
  // Demo articles only when asked for (`edgebox start --demo`): a provisioned box starts empty, and each
  // level seeding the same articles showed every one three times in a city's search (issue 12).
  if (opts.demo) seedKnowledgeBase(box, kb);
  await box.http.register(kbRoutes, { box, kb });
  await box.http.register(kbCitationRoutes, { box, kb });
}
