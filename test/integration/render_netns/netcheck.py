#!/usr/bin/env python3
"""Tiny TCP/UDP listener and prober for the render_netns scenario (run inside a namespace).

serve READY_FILE SPEC...   SPEC = tcp:ADDR:PORT | udp:ADDR:PORT. Answers every TCP connection and
                           every UDP datagram with b"ok:" + the first bytes received. Writes
                           READY_FILE once every socket is bound; runs until killed.
probe TIMEOUT PAYLOAD SPEC...  Prints one line per SPEC: "SPEC open" or "SPEC closed".
                           open = the peer answered within TIMEOUT seconds.
"""
import selectors
import socket
import sys
import threading


def serve(ready, specs):
    sel = selectors.DefaultSelector()
    for spec in specs:
        proto, addr, port = spec.split(":")
        if proto == "tcp":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((addr, int(port)))
            s.listen(64)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.bind((addr, int(port)))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, proto)
    with open(ready, "w") as f:
        f.write("ready\n")
    while True:
        for key, _ in sel.select():
            s = key.fileobj
            if key.data == "tcp":
                try:
                    c, _ = s.accept()
                except OSError:
                    continue
                c.setblocking(True)
                c.settimeout(2.0)
                threading.Thread(target=answer, args=(c,), daemon=True).start()
            else:
                try:
                    data, peer = s.recvfrom(2048)
                    s.sendto(b"ok:" + data[:64], peer)
                except OSError:
                    pass


def answer(c):
    try:
        data = c.recv(2048)
        c.sendall(b"ok:" + data[:64])
    except OSError:
        pass
    finally:
        c.close()


def probe_one(spec, timeout, payload, results):
    proto, addr, port = spec.split(":")
    ok = False
    try:
        if proto == "tcp":
            with socket.create_connection((addr, int(port)), timeout=timeout) as s:
                s.settimeout(timeout)
                s.sendall(payload)
                ok = s.recv(128).startswith(b"ok:")
        else:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                s.settimeout(timeout / 3)
                for _ in range(3):  # UDP: a lost first datagram (e.g. during IKE) is retried
                    s.sendto(payload, (addr, int(port)))
                    try:
                        ok = s.recv(128).startswith(b"ok:")
                        break
                    except socket.timeout:
                        continue
    except OSError:
        ok = False
    results[spec] = ok


def probe(timeout, payload, specs):
    results = {}
    threads = [threading.Thread(target=probe_one, args=(s, timeout, payload, results)) for s in specs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in specs:
        print(s, "open" if results.get(s) else "closed")


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], sys.argv[3:])
    else:
        probe(float(sys.argv[2]), sys.argv[3].encode(), sys.argv[4:])
