// Loaded first in every test process (package.json tap.node-arg). tap starts each test file with its
// process-tracking loader (@tapjs/processinfo, for coverage) and puts that loader into NODE_OPTIONS, so every
// node process a test starts (box processes, the CLI, simulators) would load it too: an extra loader thread and
// source-map bookkeeping, about 0.3 s of CPU per process that imports the box. Coverage is off in this
// project (package.json tap.disable-coverage), so the processes a test starts do not inherit it.
const options = process.env.NODE_OPTIONS;
if (options) {
  const kept = options
    .split(/\s+/)
    .filter((o) => o && !/@tapjs[\\/]processinfo/.test(o))
    .join(' ');
  if (kept) process.env.NODE_OPTIONS = kept;
  else delete process.env.NODE_OPTIONS;
}

// A test process must end once its tests are done. One that stays alive (a socket, a timer or a child
// process left open) would hold tap until its timeout, minutes later, and be reported as `timeout!` with no
// test named. Thirty seconds after the file's last test, this names what still holds the process and ends it
// with a failure. tap is imported here for its root test only in test files (not in processes they fork).
if (/\.test\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  const { t } = await import('tap');
  t.teardown(() => {
    setTimeout(() => {
      process.stderr.write(`${process.argv[1]}: the tests are done but the process is still held by: ${process.getActiveResourcesInfo().join(', ')}\n`);
      process.exit(1);
    }, Number(process.env.EDGEBOX_TEST_LINGER_MS ?? 30_000)).unref();
  });
}

// Where the suite's CPU goes (issue 14): with EDGEBOX_TEST_CPU_LOG set to a file, each test file appends one line
// at exit: its file, its own CPU and that of the processes it started and waited for (box processes, the CLI,
// browsers), in seconds, from /proc (Linux), and when it started and ended (ms since the epoch, for a timeline of
// the run). `sort -k2 -rn` of that file lists the costliest files.
if (process.env.EDGEBOX_TEST_CPU_LOG && /\.test\.[cm]?[jt]s$/.test(process.argv[1] ?? '')) {
  const fs = await import('node:fs');
  const log = process.env.EDGEBOX_TEST_CPU_LOG;
  process.once('exit', () => {
    try {
      // Fields after the command's closing parenthesis: utime, stime, cutime and cstime are the 12th to 15th.
      const stat = fs.readFileSync('/proc/self/stat', 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const tick = 100; // USER_HZ, 100 on Linux (getconf CLK_TCK)
      const own = (Number(f[11]) + Number(f[12])) / tick;
      const children = (Number(f[13]) + Number(f[14])) / tick;
      const end = Date.now();
      const start = Math.round(end - process.uptime() * 1000);
      fs.appendFileSync(log, `${process.argv[1]} ${(own + children).toFixed(1)} own=${own.toFixed(1)} children=${children.toFixed(1)} start=${start} end=${end}\n`);
    } catch {
      // not Linux, or /proc unreadable: no figure
    }
  });
}
