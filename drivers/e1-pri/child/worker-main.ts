/**
 * Entry point of the span worker process: the only process that loads libpri. It is forked by
 * SpanHost (../host.ts) with `--import tsx`, runs libpri on its main thread, and talks to the box
 * through the typed messages of ./protocol.ts over the IPC channel. If it crashes (a bad FFI
 * pointer, a libpri assertion), only this process dies; the host reports the calls failed and
 * forks a new one with backoff.
 */
import type { ChildToParent, ParentToChild, WorkerEvent } from './protocol.js';
import { SpanController } from '../span/span-controller.js';
import { E1Error, isE1Error } from '../errors.js';

let span: SpanController | undefined;

function send(m: ChildToParent): void {
  if (process.connected) process.send!(m);
}
const emit = (event: WorkerEvent) => send({ type: 'event', event });

process.on('message', (raw: unknown) => {
  const m = raw as ParentToChild;
  if (m?.type === 'audio') return span?.audioDown(m.frames);
  if (!m || m.type !== 'cmd') return;
  const run = async (): Promise<unknown> => {
    if (m.cmd.op === 'init') {
      if (span) throw new E1Error('E1_CALL_STATE', 'worker already initialised');
      span = new SpanController(m.cmd.config, emit);
      await span.start();
      emit({ ev: 'listening', pid: process.pid });
      return { pid: process.pid };
    }
    if (!span) throw new E1Error('E1_CALL_STATE', 'worker not initialised');
    return span.handle(m.cmd);
  };
  run().then(
    (result) => {
      send({ type: 'reply', id: m.id, ok: true, result });
      if (m.cmd.op === 'shutdown') setImmediate(() => process.exit(0));
    },
    (e: unknown) => send({
      type: 'reply', id: m.id, ok: false,
      code: isE1Error(e) ? e.code : 'E1_PRI_CALL_FAILED',
      message: e instanceof Error ? e.message : String(e),
    }),
  ).catch(() => { /* the IPC channel closed under us; the disconnect handler exits */ });
});

// The box went away: nobody will ever command this worker again.
process.on('disconnect', () => {
  span?.close();
  process.exit(0);
});

process.on('uncaughtException', (e) => {
  emit({ ev: 'log', level: 'error', msg: `worker crashed: ${e.stack ?? e.message}` });
  process.exit(70);
});
process.on('unhandledRejection', (e) => {
  emit({ ev: 'log', level: 'error', msg: `worker unhandled rejection: ${String(e)}` });
  process.exit(70);
});
