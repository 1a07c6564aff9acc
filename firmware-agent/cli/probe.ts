// `edgebox probe`: report the telephony hardware. For the E1 card (issue 7): libpri's version, the
// D-channel state and the B-channels in use, as published by the running box's span worker.
//   edgebox probe --dchannel PATH [--json]
import { parseArgs } from 'node:util';
import { formatProbe, probeE1 } from '../../drivers/e1-pri/probe.js';

export async function runProbe(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      dchannel: { type: 'string' },
      driver: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: false,
  });
  const dchannel = typeof values.dchannel === 'string' ? values.dchannel : process.env.EDGEBOX_DCHANNEL;
  if (!dchannel) {
    process.stderr.write('edgebox probe: --dchannel PATH is required for the E1 card (the socket or DAHDI device the box uses)\n');
    return 2;
  }
  const r = await probeE1(dchannel);
  process.stdout.write(values.json ? `${JSON.stringify(r, null, 2)}\n` : `${formatProbe(r)}\n`);
  return r.libpri.loaded ? 0 : 1;
}
