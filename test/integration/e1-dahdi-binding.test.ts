// The DAHDI side of the E1 driver without a card: the ioctl numbers and struct offsets of the koffi binding
// against DAHDI's own user header (compiled with cc), the alarm names, and the `bchannels` option
// (socket | dahdi) with its defaults and its command-line flags.
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { DahdiCard } from '../../drivers/e1-pri/telco-sim/dahdi-card.js';
import { buildDahdiShim, shimEnv } from '../fixtures/dahdi-shim/build.js';
import { DAHDI, ELAST, PARAMS_SIZE, SPANINFO_SIZE, alarmNames } from '../../drivers/e1-pri/binding/dahdi.js';
import { validateConfig } from '../../drivers/e1-pri/config.js';
import { e1Options } from '../../firmware-agent/config/trunk-options.js';

const HEADER = '/usr/include/dahdi/user.h';

t.test('the ioctl numbers and struct layouts of the binding are those of <dahdi/user.h>', async (t) => {
  if (!fs.existsSync(HEADER)) throw new Error(`${HEADER} is missing — install the Debian package dahdi-source`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dahdi-h-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const src = path.join(dir, 'h.c');
  fs.writeFileSync(src, `#include <stdio.h>
#include <stddef.h>
#include <dahdi/user.h>
#define P(n) printf("\\"%s\\": %lu,\\n", #n, (unsigned long)(DAHDI_##n));
int main(void) {
  printf("{\\n");
  P(GET_BLOCKSIZE) P(SET_BLOCKSIZE) P(FLUSH) P(GET_PARAMS) P(GETEVENT) P(SPANSTAT) P(AUDIOMODE) P(CHANNO) P(SPECIFY) P(SETLAW)
  printf("\\"ELAST\\": %d, \\"spaninfo\\": %zu, \\"params\\": %zu, \\"spanno\\": %zu, \\"name\\": %zu, \\"alarms\\": %zu, \\"numchans\\": %zu,\\n",
    ELAST, sizeof(struct dahdi_spaninfo), sizeof(struct dahdi_params), offsetof(struct dahdi_spaninfo, spanno),
    offsetof(struct dahdi_spaninfo, name), offsetof(struct dahdi_spaninfo, alarms), offsetof(struct dahdi_spaninfo, numchans));
  printf("\\"LAW_ALAW\\": %d, \\"EVENT_ALARM\\": %d, \\"EVENT_NOALARM\\": %d, \\"ALARM_RED\\": %d, \\"ALARM_BLUE\\": %d, \\"ALARM_YELLOW\\": %d, \\"ALARM_LOS\\": %d }\\n",
    DAHDI_LAW_ALAW, DAHDI_EVENT_ALARM, DAHDI_EVENT_NOALARM, DAHDI_ALARM_RED, DAHDI_ALARM_BLUE, DAHDI_ALARM_YELLOW, DAHDI_ALARM_LOS);
  return 0;
}
`);
  execFileSync('cc', ['-o', path.join(dir, 'h'), src]);
  const c = JSON.parse(execFileSync(path.join(dir, 'h'), { encoding: 'utf8' })) as Record<string, number>;
  for (const k of Object.keys(DAHDI) as (keyof typeof DAHDI)[]) t.equal(DAHDI[k], c[k], `DAHDI_${k} = 0x${c[k]!.toString(16)}`);
  t.equal(ELAST, c.ELAST, 'ELAST');
  t.equal(SPANINFO_SIZE, c.spaninfo, 'sizeof(struct dahdi_spaninfo) (packed)');
  t.equal(PARAMS_SIZE, c.params, 'sizeof(struct dahdi_params)');
  t.same([c.spanno, c.name, c.alarms, c.numchans], [0, 4, 64, 120], 'dahdi_spaninfo offsets read by dahdiSpanStat');
  t.equal(c.LAW_ALAW, 2);
  t.same([c.EVENT_ALARM, c.EVENT_NOALARM], [4, 5]);
  t.equal(alarmNames(c.ALARM_RED! | c.ALARM_LOS!), 'RED+LOS');
  t.equal(alarmNames(c.ALARM_BLUE!), 'BLUE');
  t.equal(alarmNames(c.ALARM_YELLOW!), 'YELLOW');
  t.equal(alarmNames(0), 'none');
});

t.test('bchannels: the socket unless the D-channel is a DAHDI device; the first DAHDI channel follows /dev/dahdi/N', async (t) => {
  t.same(validateConfig({ dchannel: '/run/e1.sock' }).bchannels, { kind: 'socket' });
  t.same(validateConfig({ dchannel: '/dev/dahdi/16' }).bchannels, { kind: 'dahdi', device: '/dev/dahdi/channel', firstChannel: 1 });
  t.same(validateConfig({ dchannel: '/dev/dahdi/47' }).bchannels, { kind: 'dahdi', device: '/dev/dahdi/channel', firstChannel: 32 }, 'the second span');
  t.same(validateConfig({ dchannel: '/dev/dahdi/chan/001/016' }).bchannels, { kind: 'dahdi', device: '/dev/dahdi/channel', firstChannel: 1 });
  t.same(validateConfig({ dchannel: '/dev/dahdi/16', media: '/run/gw.media' }).bchannels, { kind: 'socket' }, 'an explicit audio socket wins');
  t.same(validateConfig({ dchannel: '/run/e1.sock', bchannels: { kind: 'dahdi', firstChannel: 63 } }).bchannels, { kind: 'dahdi', device: '/dev/dahdi/channel', firstChannel: 63 });
  t.throws(() => validateConfig({ dchannel: '/run/e1.sock', bchannels: { kind: 'tdm' } as never }), { code: 'E1_BAD_CONFIG', message: /bchannels.kind/ });
  t.throws(() => validateConfig({ dchannel: '/run/e1.sock', bchannels: { kind: 'dahdi', firstChannel: 0 } }), { code: 'E1_BAD_CONFIG', message: /firstChannel/ });
  t.throws(() => validateConfig({ dchannel: '/run/e1.sock', bchannels: { kind: 'dahdi', firstChannel: 1000 } }), { code: 'E1_BAD_CONFIG', message: /firstChannel/ });
  t.throws(() => validateConfig({ dchannel: '/run/e1.sock', bchannels: { kind: 'dahdi', blocksize: 80 } as never }), { code: 'E1_BAD_CONFIG', message: /unknown option "blocksize"/ });
  t.ok(Object.isFrozen(validateConfig({ dchannel: '/dev/dahdi/16' }).bchannels), 'frozen');
});

t.test('the command line chooses the B-channel transport with --e1-media', async (t) => {
  const cfg = (flags: Record<string, string>) => validateConfig(e1Options(flags)).bchannels;
  t.same(cfg({ dchannel: '/run/e1.sock', 'e1-media': 'dahdi' }), { kind: 'dahdi', device: '/dev/dahdi/channel', firstChannel: 1 });
  t.same(cfg({ dchannel: '/dev/dahdi/16', 'e1-media': 'socket' }), { kind: 'socket' });
  t.same(cfg({ dchannel: '/dev/dahdi/16', 'e1-dahdi-first-channel': '32', 'e1-dahdi-device': '/dev/dahdi/channel' }), { kind: 'dahdi', device: '/dev/dahdi/channel', firstChannel: 32 });
  t.throws(() => e1Options({ dchannel: '/dev/dahdi/16', 'e1-media': 'alsa' }), /--e1-media must be socket or dahdi/);
});

t.test('through the stand-in, the binding specifies a channel, sets it up, writes and reads 160-byte blocks and takes an alarm event', async (t) => {
  const so = await buildDahdiShim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dahdi-io-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const card = new DahdiCard(path.join(dir, 'card'));
  card.listen();
  t.teardown(() => card.close());
  // The card answers the client's first block with one of its own, then raises a red alarm (user.h 1 << 3).
  card.once('audio', (ch, block) => {
    t.same([ch, block.length, block[0]], [5, 160, 0x55], 'the block the client wrote reached the card on its channel');
    card.sendAudio(5, Buffer.alloc(160, 0x2a));
    card.setAlarms(1 << 3);
  });
  const client = fileURLToPath(new URL('../fixtures/e1/dahdi-client.ts', import.meta.url));
  const child = execFile(process.execPath, ['--import', 'tsx', client], { env: { ...process.env, ...shimEnv(so, card.path) }, timeout: 60_000 });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(code, 0, `the client ran: ${stderr}`);
  const r = JSON.parse(stdout) as Record<string, unknown>;
  t.equal(r.lawBeforeSpecify, 22, 'an ioctl before DAHDI_SPECIFY: EINVAL');
  t.equal(r.specifyOutsideSpan, 6, 'DAHDI_SPECIFY of a channel the span lacks: ENXIO');
  t.equal(r.specifyTaken, 16, 'DAHDI_SPECIFY of a channel open elsewhere: EBUSY');
  t.equal(r.badBlocksize, 22, 'DAHDI_SET_BLOCKSIZE 8: EINVAL');
  t.equal(r.blocksize, 160, 'DAHDI_GET_BLOCKSIZE reads back 160');
  t.equal(r.alarmsAtOpen, 0, 'DAHDI_SPANSTAT at open: no alarm');
  t.equal(r.wrote, true);
  t.same(r.reads, [
    { data: 160, first: 0x2a },
    { event: 4, alarms: 8, span: 1, name: 'SHIM/1', numchans: 31, next: 0 },
  ], 'a 160-byte block, then read() fails with ELAST: DAHDI_GETEVENT gives DAHDI_EVENT_ALARM, DAHDI_SPANSTAT the red alarm, and the queue is empty');
  const ch5 = card.channels.get(5)!;
  t.same([ch5.law, ch5.audioMode, ch5.blocksize, ch5.blocksWritten, ch5.oddBlocks], [2, 1, 160, 1, 0], 'the card saw A-law, audio mode, 160-byte blocks');
});
