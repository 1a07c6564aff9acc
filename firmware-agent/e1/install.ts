// The E1 card (ISDN PRI through libpri, drivers/e1-pri) as a trunk driver: `edgebox start --driver e1-pri
// --dchannel PATH`. The composition (compose.ts buildTrunk) imports the driver module (koffi, libpri) only
// when the configuration selects it, so a box on another driver starts on a machine without libpri; without
// it, the e1-pri start fails at once naming the package (explainLibLoad).

/** The Debian package that provides libpri.so.1.4 (libpri 1.6). */
export const LIBPRI_PACKAGE = 'libpri1.4';

/** A missing libpri (E1_LIB_LOAD, from the driver module or its span worker) as a message naming the package. */
export function explainLibLoad(err: unknown): unknown {
  const e = err as Error & { code?: string };
  if (e?.code !== 'E1_LIB_LOAD') return err;
  return new Error(`--driver e1-pri needs libpri: install the Debian package ${LIBPRI_PACKAGE} (apt-get install ${LIBPRI_PACKAGE}). ${e.message}`, { cause: err });
}
