// The E1 card (ISDN PRI through libpri, drivers/e1-pri) as a trunk driver for the calls subsystem:
// `edgebox start --driver e1-pri --dchannel PATH`. Registered before the calls installer picks a driver.
// The driver module (koffi, libpri) is imported only when --driver e1-pri selects it, so a box on another
// driver starts on a machine without libpri; without it, the e1-pri start fails at once naming the package.
import { registerTrunkDriver } from '../calls/install.js';
import type { Installer } from '../subsystems.js';

/** The Debian package that provides libpri.so.1.4 (libpri 1.6). */
export const LIBPRI_PACKAGE = 'libpri1.4';

/** A missing libpri (E1_LIB_LOAD, from the driver module or its span worker) as a message naming the package. */
function explainLibLoad(err: unknown): unknown {
  const e = err as Error & { code?: string };
  if (e?.code !== 'E1_LIB_LOAD') return err;
  return new Error(`--driver e1-pri needs libpri: install the Debian package ${LIBPRI_PACKAGE} (apt-get install ${LIBPRI_PACKAGE}). ${e.message}`, { cause: err });
}

export const installE1: Installer = async () => {
  registerTrunkDriver('e1-pri', async (box, opts) => {
    const { createE1PriTrunk } = await import('../../drivers/e1-pri/index.js').catch((err: unknown) => {
      throw explainLibLoad(err);
    });
    if (opts.plan.trunk.driver !== 'e1-pri') throw new Error('e1-pri: the composition plan chose another trunk driver');
    const driver = await createE1PriTrunk(box, opts.plan.trunk.options);
    const start = driver.start.bind(driver);
    driver.start = () => start().catch((err: unknown) => {
      throw explainLibLoad(err);
    });
    return driver;
  });
};
