# Drives a command in a pseudo-terminal: waits for each expected prompt (a regular expression) and types the
# answer, then reads to the end. Prints the transcript; exits with the command's exit status.
#   python3 provision-pty.py STEPS_JSON -- command args...
import json, os, pty, re, select, sys, time

steps = json.loads(sys.argv[1])
cmd = sys.argv[sys.argv.index('--') + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)

buf = b''
pos = 0

def read_some(timeout):
    global buf
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return True
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        return False
    if not chunk:
        return False
    buf += chunk
    return True

for expect, answer in steps:
    pattern = re.compile(expect.encode())
    deadline = time.monotonic() + 120  # a guard against a hung child, not a measurement
    while True:
        m = pattern.search(buf, pos)
        if m:
            pos = m.end()
            break
        if time.monotonic() > deadline or not read_some(1):
            sys.stdout.write(buf.decode('utf-8', 'replace'))
            sys.stdout.write('\n[pty driver: no prompt matching %r]\n' % expect)
            os.kill(pid, 9)
            sys.exit(99)
    os.write(fd, (answer + '\r').encode())

while read_some(120):
    pass
_, status = os.waitpid(pid, 0)
sys.stdout.write(buf.decode('utf-8', 'replace'))
sys.exit(os.waitstatus_to_exitcode(status))
