// Run with the DAHDI stand-in preloaded (test/unit/e1-dahdi.test.ts): the koffi binding's calls on
// /dev/dahdi/channel against the card simulator in the parent process, reported as one JSON line.
import { pollFd } from '../../../drivers/e1-pri/binding/poll.js';
import {
  dahdiAudioMode, dahdiClose, dahdiGetBlocksize, dahdiGetEvent, dahdiOpen, dahdiRead, dahdiSetBlocksize, dahdiSetLaw,
  dahdiSpanStat, dahdiSpecify, dahdiWrite,
} from '../../../drivers/e1-pri/binding/dahdi.js';

const out: Record<string, unknown> = {};
const errnoOf = (f: () => void): string | number => {
  try {
    f();
    return 'ok';
  } catch (e) {
    return Number(/\(errno (\d+)\)/.exec((e as Error).message)?.[1] ?? -1);
  }
};

const fd = dahdiOpen('/dev/dahdi/channel');
out.lawBeforeSpecify = errnoOf(() => dahdiSetLaw(fd, 2));
out.specifyOutsideSpan = errnoOf(() => dahdiSpecify(fd, 40));
dahdiSpecify(fd, 5);
const other = dahdiOpen('/dev/dahdi/channel');
out.specifyTaken = errnoOf(() => dahdiSpecify(other, 5));
dahdiClose(other);
dahdiSetLaw(fd, 2);
dahdiAudioMode(fd, true);
out.badBlocksize = errnoOf(() => dahdiSetBlocksize(fd, 8));
dahdiSetBlocksize(fd, 160);
out.blocksize = dahdiGetBlocksize(fd);
out.alarmsAtOpen = dahdiSpanStat(fd).alarms;
out.wrote = dahdiWrite(fd, Buffer.alloc(160, 0x55));

const buf = Buffer.alloc(640);
const reads: unknown[] = [];
const poll = pollFd(fd, { readable: true }, () => {
  for (;;) {
    const r = dahdiRead(fd, buf);
    if (r.kind === 'again') return;
    if (r.kind === 'data') reads.push({ data: r.data.length, first: r.data[0] });
    else if (r.kind === 'event') {
      const ev = dahdiGetEvent(fd);
      const st = dahdiSpanStat(fd);
      reads.push({ event: ev, alarms: st.alarms, span: st.spanno, name: st.name, numchans: st.numchans, next: dahdiGetEvent(fd) });
    } else reads.push({ eof: true });
    if (reads.length === 2 || r.kind === 'eof') {
      poll.close();
      dahdiClose(fd);
      out.reads = reads;
      process.stdout.write(`${JSON.stringify(out)}\n`);
      return;
    }
  }
});
