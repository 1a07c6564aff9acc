// A span worker that initialises and then crashes (exit code 70, as worker-main.ts does on an uncaught
// exception): SpanHost's restart policy is tested against it. The short delay lets the init reply
// reach the host before the exit does (Node may report a child's exit before its last messages).
import type { ChildToParent, ParentToChild } from '../../../drivers/e1-pri/child/protocol.js';

process.on('message', (raw: unknown) => {
  const m = raw as ParentToChild;
  if (!m || m.type !== 'cmd') return;
  const reply: ChildToParent = { type: 'reply', id: m.id, ok: true, result: { pid: process.pid } };
  process.send!(reply, () => setTimeout(() => process.exit(70), 200));
});
process.on('disconnect', () => process.exit(0));
