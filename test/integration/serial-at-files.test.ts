// Files on the module over real socat ptys: the serial-AT driver against the simulated module's file storage
// (Quectel AT+QFUPL/AT+QFDWL/AT+QFLST/AT+QFDEL, SIMCom AT+CFTRANRX/AT+CFTRANTX/AT+FSDEL), prompts played from the
// module (AT+QPSND / AT+CCMXPLAY) and its own call recording (AT+QAUDRD / AT+CREC). The failure modes a module
// gives — a full storage, a missing file, a transfer cut short — end in the named error, and a call goes on.
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { alawToLinear } from '../../drivers/media/alaw.js';
import { isSerialAtError } from '../../drivers/serial-at/errors.js';
import { wavPcm16 } from '../../drivers/serial-at/files.js';
import type { PcmFamily } from '../../drivers/serial-at/modem.js';
import { TrunkError } from '../../drivers/trunk/types.js';
import { gsmVoiceRig, type GsmVoiceRig } from '../rigs/serial-at-voice-harness.js';

// Each test builds its own rig and mostly waits on the wall clock: three at once.
t.jobs = 3;

const families: PcmFamily[] = ['quectel', 'simcom'];
const where = (f: PcmFamily) => (f === 'quectel' ? 'UFS:' : 'E:/');

async function rig(family: PcmFamily, t: { teardown(fn: () => unknown): void }, promptsDir?: string): Promise<GsmVoiceRig> {
  const r = await gsmVoiceRig({
    family,
    voice: false,
    trunk: { voice: undefined, moduleFiles: { family, play: true, record: true, ...(promptsDir ? { promptsDir } : {}) } },
  });
  t.teardown(() => r.close());
  await r.trunk.start();
  return r;
}

/** An 8 kHz A-law WAV prompt of `ms` of a tone (what the box's prompt directory holds). */
function promptFile(dir: string, name: string, ms: number, hz = 440): string {
  const n = (ms * 8) | 0;
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round(8000 * Math.sin((2 * Math.PI * hz * i) / 8000));
  const file = path.join(dir, name);
  fs.writeFileSync(file, wavPcm16(pcm));
  return file;
}

async function answered(r: GsmVoiceRig): Promise<string> {
  const offered = r.next('offered');
  r.sim.ring('13800000001');
  const { callId } = await offered;
  await r.trunk.answer(callId);
  return callId;
}

for (const family of families) {
  t.test(`${family}: files go to the module and come back byte for byte; the module's errors are named`, async (t) => {
    const r = await rig(family, t);
    const name = `${where(family)}t1.bin`;
    const data = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 37) & 0xff)); // every byte value, CR/LF included
    await r.modem.files.upload(family, name, data);
    t.ok(r.sim.files.get(name)?.equals(data), 'stored on the module as sent');
    await r.modem.files.upload(family, name, data.subarray(0, 100));
    t.equal(r.sim.files.get(name)?.length, 100, 'an upload replaces a file of the same name');
    t.ok((await r.modem.files.download(family, name, family === 'quectel' ? 100 : undefined)).equals(data.subarray(0, 100)));
    if (family === 'quectel') t.equal(await r.modem.files.size(family, name), 100, 'AT+QFLST gives its size');

    const missing = await r.modem.files.download(family, `${where(family)}none.wav`).catch((e: unknown) => e);
    t.ok(isSerialAtError(missing, 'SERIAL_AT_MODULE_FILE_MISSING'), `a missing file: ${String(missing)}`);

    r.sim.fileStorageBytes = r.sim.fileBytesUsed + 50;
    const full = await r.modem.files.upload(family, `${where(family)}big.wav`, Buffer.alloc(500)).catch((e: unknown) => e);
    t.ok(isSerialAtError(full, 'SERIAL_AT_MODULE_STORAGE_FULL'), `a full storage: ${String(full)}`);
    r.sim.fileStorageBytes = 1 << 20;

    r.sim.truncateNextUpload = 300;
    const cutUp = await r.modem.files.upload(family, `${where(family)}cut.bin`, data).catch((e: unknown) => e);
    t.ok(isSerialAtError(cutUp, 'SERIAL_AT_MODULE_FILE'), `an upload the module did not get whole: ${String(cutUp)}`);

    r.sim.truncateNextDownload = 40;
    const cutDown = await r.modem.files.download(family, name).catch((e: unknown) => e);
    t.ok(isSerialAtError(cutDown, 'SERIAL_AT_MODULE_FILE'), `a download cut short: ${String(cutDown)}`);
    t.match(String(cutDown), family === 'quectel' ? /stopped short: 40 of 100/ : /no complete answer in time/);

    const bad = await r.modem.files.upload(family, `${where(family)}a"b.wav`, data).catch((e: unknown) => e);
    t.ok(isSerialAtError(bad, 'SERIAL_AT_BAD_OPTION'), 'a name that cannot be quoted is refused before anything is sent');
    t.equal(r.modem.status.state, 'ready', 'none of this disturbed the modem');
  });

  t.test(`${family}: prompts are uploaded once at start, played on the module, stored again when it lost them`, async (t) => {
    const dir = t.testdir();
    const welcome = promptFile(dir, 'welcome.wav', 300);
    promptFile(dir, 'menu.wav', 200, 600);
    const r = await rig(family, t, dir);
    while (r.sim.files.size < 2) await new Promise((res) => r.sim.once('stored', res));
    t.equal(r.trunk.capabilities.play, 'module-file');
    t.equal(r.trunk.capabilities.record, 'module');
    const callId = await answered(r);
    const uploads = r.sim.uploads;
    t.match(await r.trunk.play(callId, { id: 'welcome', file: welcome }), { outcome: 'completed' });
    t.equal(r.sim.uploads, uploads, 'not uploaded again');
    t.equal(r.sim.played.length, 1);
    // Deleted behind the box's back (a technician's AT+QFDEL, another module in the slot).
    r.sim.files.delete(r.sim.played[0]!);
    t.match(await r.trunk.play(callId, { id: 'welcome', file: welcome }), { outcome: 'completed' });
    t.equal(r.sim.uploads, uploads + 1, 'stored again');
    t.equal(r.sim.played.length, 2, 'and played');

    // Storage full: a new prompt cannot be stored; the caller gets the pause, the problem is on the status.
    r.sim.fileStorageBytes = r.sim.fileBytesUsed;
    const other = promptFile(dir, 'other.wav', 200, 800);
    t.match(await r.trunk.play(callId, { id: 'other', file: other }), { outcome: 'completed' });
    t.equal(r.sim.played.length, 2, 'nothing played');
    t.match(r.modem.status.lastProblem, /storage is full/);
  });

  t.test(`${family}: the module records the caller, the box fetches the file as the call's WAV and deletes it there`, async (t) => {
    const r = await rig(family, t);
    const callId = await answered(r);
    const file = path.join(r.dir, 'vm.wav');
    const recording = r.trunk.record(callId, { file, maxMs: 10_000, stopDigits: '#' });
    while (!r.sim.recording) await new Promise((res) => r.sim.once('command', res));
    const speech = alawToLinear(Buffer.alloc(8000, 0x2a)); // 1 s of a constant level
    await r.sim.callerSpeaks(speech);
    r.sim.callerPresses('#');
    const res = await recording;
    t.equal(res.outcome, 'digit');
    t.ok(Math.abs(res.durationMs - 1000) < 1, `1 s recorded (${res.durationMs} ms)`);
    const wav = fs.readFileSync(file);
    t.equal(wav.length, 44 + 16000);
    t.equal(wav.readInt16LE(44), speech[0], 'the caller\'s audio');
    t.notOk([...r.sim.files.keys()].some((n) => /\/r|:r/.test(n)), 'deleted on the module');

    // A recording whose transfer is cut: a clear error, the partial file is not passed off as the voicemail.
    const rec2 = r.trunk.record(callId, { file: path.join(r.dir, 'vm2.wav'), maxMs: 10_000, stopDigits: '#' });
    while (!r.sim.recording) await new Promise((res) => r.sim.once('command', res));
    await r.sim.callerSpeaks(speech);
    r.sim.truncateNextDownload = 1000;
    r.sim.callerPresses('#');
    const err = await rec2.catch((e: unknown) => e);
    t.ok(err instanceof TrunkError && err.code === 'driver-failed', `rejected: ${String(err)}`);
    t.notOk(fs.existsSync(path.join(r.dir, 'vm2.wav')), 'no voicemail file');
    t.match(r.modem.status.lastProblem, /recording/);

    // The caller hangs up while the module records: the module closes the file, the box still fetches it.
    const rec3 = r.trunk.record(callId, { file: path.join(r.dir, 'vm3.wav'), maxMs: 10_000, stopDigits: '#' });
    while (!r.sim.recording) await new Promise((res) => r.sim.once('command', res));
    await r.sim.callerSpeaks(speech.subarray(0, 4000));
    r.sim.callerHangsUp();
    const r3 = await rec3;
    t.equal(r3.outcome, 'caller-gone');
    t.ok(Math.abs(r3.durationMs - 500) < 1, 'what was said before the hang-up is kept');
  });
}
