"""A TCP forwarder the tests switch off and on, so a client loses its server — every open
connection cut, new ones refused — while the server itself (the machine's PostgreSQL) keeps
running for everyone else.

Sockets are shut down to wake whoever waits on them and closed only by the thread that
used them, after it woke: under eventlet, closing a socket another greenthread waits on
leaves a stale listener that breaks the next user of that file descriptor."""
import contextlib
import socket
import threading


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class TcpProxy:
    """Forwards 127.0.0.1:`port` (a free one unless given) to `target`; `stop()` closes the
    listener and every open connection, `start()` listens again on the same port."""

    def __init__(self, target_host: str, target_port: int, port: int = 0):
        self.target = (target_host, target_port)
        self.port = port
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self._listener is not None

    def start(self) -> None:
        if self._listener is not None:
            return
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # rebind at once
        listener.bind(("127.0.0.1", self.port))
        self.port = listener.getsockname()[1]
        listener.listen(128)
        self._listener = listener
        self._spawn(self._accept, listener)

    def stop(self, timeout: float = 5.0) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _shutdown(listener)  # refuses new connections, wakes accept()
        with self._lock:
            cut = list(self._open)
            threads, self._threads = self._threads, []
        for sock in cut:
            _shutdown(sock)
        for thread in threads:
            thread.join(timeout)

    def _spawn(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    def _accept(self, listener: socket.socket) -> None:
        try:
            while True:
                try:
                    client, _ = listener.accept()
                except OSError:
                    return  # stopped
                try:
                    upstream = socket.create_connection(self.target, timeout=5)
                    upstream.settimeout(None)
                except OSError:
                    client.close()
                    continue
                with self._lock:
                    stopped = self._listener is not listener
                    if not stopped:
                        self._open.update((client, upstream))
                if stopped:
                    client.close()
                    upstream.close()
                    return
                self._spawn(self._serve, client, upstream)
        finally:
            listener.close()

    def _serve(self, client: socket.socket, upstream: socket.socket) -> None:
        back = threading.Thread(target=self._pump, args=(upstream, client), daemon=True)
        back.start()
        self._pump(client, upstream)
        back.join()
        with self._lock:
            self._open.difference_update((client, upstream))
        client.close()
        upstream.close()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except (OSError, EOFError):  # eventlet raises EOFError for a socket shut under it
            pass
        finally:  # one side gone: end the pair, as a server going away would
            _shutdown(source)
            _shutdown(sink)
