"""Idle KMIP connections: open N TLS connections (the data directory's
`clients/default` certificate, full handshake each) to a running coffer and
keep them open; print the server's VmRSS before and after.

    python3 benches/idle-connections.py DATA_DIR SERVER_PID 10000
"""
import socket, ssl, sys, time, resource, json
resource.setrlimit(resource.RLIMIT_NOFILE, (20000, 20000))
d, pid, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
port = int(json.load(open(d + "/listening.json"))["kmip"].split(":")[-1])
ctx = ssl.create_default_context(cafile=d + "/clients/default/ca.pem")
ctx.load_cert_chain(d + "/clients/default/client.pem", d + "/clients/default/client.key")
def rss():
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS"): return int(line.split()[1])
conns = []
for i in range(20):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost"); conns.append(s)
time.sleep(1); before = rss(); t0 = time.time()
for i in range(n):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)), server_hostname="localhost"); conns.append(s)
t = time.time() - t0; time.sleep(1); after = rss()
print("connections %d: RSS before %.1f MiB, after %.1f MiB, %.1f KiB per connection, %.1f s to open" % (n, before/1024, after/1024, (after-before)/n, t))
# every connection still served: Discover Versions would need KMIP; check the sockets are open
time.sleep(2)
alive = sum(1 for s in conns if s.fileno() >= 0)
print("open after 2 s:", alive)
