// The E1 card (ISDN PRI through libpri, drivers/e1-pri) as a trunk driver for the calls subsystem:
// `edgebox start --driver e1-pri --dchannel PATH`. Registered before the calls installer picks a driver;
// the driver itself (a libpri child process) starts only when --driver e1-pri selects it.
import { createE1PriTrunk } from '../../drivers/e1-pri/index.js';
import { registerTrunkDriver } from '../calls/install.js';
import type { Installer } from '../subsystems.js';

export const installE1: Installer = async () => {
  registerTrunkDriver('e1-pri', createE1PriTrunk);
};
