#!/usr/bin/env python3
"""Plaintext TCP listeners for the probe suite: each ADDR:PORT accepts connections and answers
any request with a short plaintext line (what a service without TLS would do)."""
import socket
import selectors
import sys

sel = selectors.DefaultSelector()
for spec in sys.argv[1:]:
    addr, port = spec.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, int(port)))
    s.listen(128)
    s.setblocking(False)
    sel.register(s, selectors.EVENT_READ, "listen")
print("ready", flush=True)
while True:
    for key, _ in sel.select():
        if key.data == "listen":
            c, _ = key.fileobj.accept()
            c.setblocking(False)
            sel.register(c, selectors.EVENT_READ, "conn")
        else:
            c = key.fileobj
            try:
                data = c.recv(4096)
            except OSError:
                data = b""
            if data:
                try:
                    c.send(b"OK plaintext service\r\n")
                except OSError:
                    pass
            sel.unregister(c)
            c.close()
