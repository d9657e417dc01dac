"""A burst of N concurrent failed staff logins (distinct unknown usernames, so the per-username
throttle never steps in) against a real `ecoute serve` on a fresh SQLite database; prints the
server's peak and final resident memory (VmHWM, VmRSS) and /healthz latency during the burst.

    cargo build -p ecoute && python3 benchmarks/login_burst.py target/debug/ecoute 128

Linux only (/proc), Python 3 standard library only."""
import http.client, os, re, subprocess, sys, tempfile, threading, time, statistics

binary, n = sys.argv[1], int(sys.argv[2])
d = tempfile.mkdtemp(prefix="ecoute-burst-")
env = dict(os.environ, ECOUTE_SERVER__BIND="127.0.0.1:0",
           ECOUTE_DATABASE__URL=f"sqlite://{d}/e.db", ECOUTE_SERVER__LOG="warn")
p = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=d)
addr = None
for line in p.stdout:
    m = re.search(r"listening on http://(\S+)", line)
    if m:
        addr = m.group(1); break
host, port = addr.rsplit(":", 1); port = int(port)
threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()

def mem():
    s = open(f"/proc/{p.pid}/status").read()
    g = lambda k: int(re.search(rf"{k}:\s+(\d+) kB", s).group(1)) // 1024
    return g("VmHWM"), g("VmRSS")

def get_form(i):
    c = http.client.HTTPConnection(host, port, timeout=120)
    c.request("GET", "/login"); r = c.getresponse(); body = r.read().decode()
    cookie = [v for k, v in r.getheaders() if k.lower() == "set-cookie"][0].split(";")[0]
    csrf = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
    return c, cookie, csrf

forms = [get_form(i) for i in range(n)]
print(f"idle: VmHWM {mem()[0]} MiB, VmRSS {mem()[1]} MiB")
barrier = threading.Barrier(n + 1)
statuses = []
def login(i):
    c, cookie, csrf = forms[i]
    body = f"csrf={csrf}&username=user{i}&password=wrong+password+{i}"
    barrier.wait()
    c.request("POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    r = c.getresponse(); r.read(); statuses.append(r.status)
threads = [threading.Thread(target=login, args=(i,)) for i in range(n)]
for t in threads: t.start()
health = []; done = threading.Event()
def probe():
    c = http.client.HTTPConnection(host, port, timeout=120)
    while not done.is_set():
        t0 = time.monotonic(); c.request("GET", "/healthz"); c.getresponse().read()
        health.append((time.monotonic() - t0) * 1000); time.sleep(0.05)
barrier.wait(); t0 = time.monotonic()
pt = threading.Thread(target=probe); pt.start()
peak_rss = 0
while any(t.is_alive() for t in threads):
    peak_rss = max(peak_rss, mem()[1]); time.sleep(0.02)
elapsed = time.monotonic() - t0
done.set(); pt.join()
hwm, rss = mem()
time.sleep(3); hwm2, rss2 = mem()
from collections import Counter
print(f"burst of {n}: {elapsed:.2f} s, statuses {dict(Counter(statuses))}")
print(f"VmHWM {hwm} MiB, VmRSS at end {rss} MiB (3 s later {rss2} MiB)")
h = sorted(health)
print(f"/healthz during burst: {len(h)} probes, p50 {statistics.median(h):.1f} ms, max {h[-1]:.1f} ms")
p.terminate(); p.wait()
