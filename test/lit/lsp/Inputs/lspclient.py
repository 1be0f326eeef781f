"""A minimal LSP client over `aec lsp`'s stdio, for the lit tests. Every
wait is bounded by a timeout, so a stalled server fails the test instead of
hanging it."""
import json, os, queue, subprocess, threading

TIMEOUT = 20


class Client:
    def __init__(self, args=("aec", "lsp")):
        self.proc = subprocess.Popen(list(args), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.messages = queue.Queue()
        self.notifications = []
        self.next_id = 1
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.messages.put(None)
                    return
                line = line.strip()
                if not line:
                    break
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.messages.put(json.loads(out.read(length)))

    def raw(self, data):
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, msg):
        body = json.dumps(msg).encode()
        self.raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def notify(self, method, params):
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(self, pred):
        while True:
            m = self.messages.get(timeout=TIMEOUT)
            if m is None:
                raise RuntimeError("the server closed its output")
            if pred(m):
                return m
            self.notifications.append(m)

    def request(self, method, params):
        rid = self.next_id
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == rid and "method" not in m)

    def notification(self, method):
        for i, m in enumerate(self.notifications):
            if m.get("method") == method:
                return self.notifications.pop(i)
        return self.wait(lambda m: m.get("method") == method)

    def close(self):
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        return self.proc.wait(timeout=TIMEOUT)


def uri(path):
    return "file://" + os.path.abspath(path)
