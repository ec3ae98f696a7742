"""`natokg serve --processes N`: N serving processes forked from one loaded store, fed round-robin.

Uvicorn's own multi-process mode spawns fresh interpreters, each of which would validate and load
the data again. Forking after the load shares the store copy-on-write and readies each process in
milliseconds. The parent closes its query workers before forking, and each serving process forks
its own, so no pipe is ever shared.

The parent accepts every connection and hands it to the serving processes in turn, over a Unix
socket (SCM_RIGHTS), as Node's cluster module does by default. When the processes all accepted from
the shared socket, the kernel gave a connection to whichever woke first: a client with two
connections was often served by one process while the other idled (in 8 of 27 benchmark runs). The
hand-over costs the parent one `accept` and one `sendmsg` per connection, nothing per request.
The parent also supervises: a serving process that dies is replaced, one whose parent is gone
stops, and SIGTERM or SIGINT stops them all, each shutting down its workers.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import selectors
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from types import FrameType

import uvicorn
from starlette.types import ASGIApp

from ..kg.runtime import Runtime

RESTART_PAUSE = 1.0  # a process that dies within this many seconds of starting waits this long to be replaced


@dataclass
class _Child:
    started: float
    channel: socket.socket  # the parent's end of the Unix socket that carries its connections


def serve_forked(runtime: Runtime, make_app: Callable[[], ASGIApp], listener: socket.socket, *, processes: int) -> int:
    """Serve `make_app()` on the bound `listener` from `processes` forked processes until SIGTERM or SIGINT."""
    settings = runtime.settings
    runtime.store.close()  # each serving process starts its own query workers
    children: dict[int, _Child] = {}
    turns = itertools.count()
    stopping = False
    wake_read, wake_write = os.pipe()  # signals wake the loop below through this pipe
    os.set_blocking(wake_read, False)
    os.set_blocking(wake_write, False)

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def start() -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:  # a serving process: uvicorn installs its own SIGTERM/SIGINT handling
            code = 0
            try:
                signal.set_wakeup_fd(-1)
                for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):
                    signal.signal(signum, signal.SIG_DFL)
                selector.close()
                for fd in (wake_read, wake_write):
                    os.close(fd)
                for other in [ours, listener, *(child.channel for child in children.values())]:
                    other.close()
                runtime.store.start()  # the embedded store's own query workers
                config = uvicorn.Config(make_app(), log_level="info", access_log=settings.access_log)
                HandedConnectionsServer(config, theirs).run()
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        theirs.close()
        ours.setblocking(False)  # a process that stopped reading must not stall the parent
        children[pid] = _Child(time.monotonic(), ours)

    def hand_over() -> None:
        """Accept every pending connection and give each to the next serving process that takes it."""
        while True:
            try:
                connection, _ = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:  # out of file descriptors, or the client gave up: try again on the next wake
                print(f"natokg: accept failed: {error}", file=sys.stderr, flush=True)
                return
            with connection:
                if connection.family in (socket.AF_INET, socket.AF_INET6):
                    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                pids = list(children)
                for _ in pids:
                    child = children[pids[next(turns) % len(pids)]]
                    try:
                        socket.send_fds(child.channel, [b"c"], [connection.fileno()])
                        break
                    except OSError:  # its queue is full or it is gone: the next one takes it
                        continue
                # closing our copy leaves the connection open in the process that took it (or closes it if none did)

    def reap() -> None:
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = children.pop(pid, None)
            if child is None:
                continue
            child.channel.close()
            if stopping:
                continue
            print(f"natokg: serving process {pid} ended ({_exit_status(status)}); starting another", file=sys.stderr, flush=True)
            if time.monotonic() - child.started < RESTART_PAUSE:
                time.sleep(RESTART_PAUSE)  # no tight loop when every start fails
            if not stopping:
                start()

    listener.setblocking(False)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    selector.register(wake_read, selectors.EVENT_READ)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # a handler, so that the wake-up pipe hears it
    signal.set_wakeup_fd(wake_write)
    try:
        for _ in range(processes):
            start()
        while children:
            for key, _ in selector.select(timeout=1.0):  # the timeout only guards against a lost wake-up
                if key.fileobj is listener:
                    hand_over()
                else:
                    with suppress(BlockingIOError):
                        while os.read(wake_read, 512):
                            pass
            if stopping and listener.fileno() != -1:
                selector.unregister(listener)
                listener.close()  # no new connections; the processes finish the ones they have
            reap()
    finally:
        signal.set_wakeup_fd(-1)
        selector.close()
        listener.close()
        for fd in (wake_read, wake_write):
            os.close(fd)
    return 0


class HandedConnectionsServer(uvicorn.Server):
    """A uvicorn server with no listening socket: it serves the connections its parent hands it over `channel`.

    Connections are set up as uvicorn sets up those it accepts itself (its HTTP protocol class, server
    state and lifespan state), so limits, keep-alive and graceful shutdown behave the same. The server
    stops when the channel reaches end of file, that is, when the parent is gone.
    """

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self._channel = channel
        self._connecting: set[asyncio.Task[None]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # no socket of its own to accept on
        self._channel.setblocking(False)
        asyncio.get_running_loop().add_reader(self._channel.fileno(), self._take)

    def _take(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            try:
                message, fds, _, _ = socket.recv_fds(self._channel, 16, 1)
            except (BlockingIOError, InterruptedError):
                return
            except OSError:  # the channel is broken: as if the parent were gone
                message, fds = b"", []
            if not message and not fds:  # the parent is gone: finish the connections held, take no more
                loop.remove_reader(self._channel.fileno())
                self.should_exit = True
                return
            for fd in fds:
                task = loop.create_task(self._connect(socket.socket(fileno=fd)))
                self._connecting.add(task)  # held until done, so it is not collected half way
                task.add_done_callback(self._connecting.discard)

    async def _connect(self, connection: socket.socket) -> None:
        loop = asyncio.get_running_loop()

        def protocol() -> asyncio.Protocol:
            return self.config.http_protocol_class(  # type: ignore[call-arg]
                config=self.config, server_state=self.server_state, app_state=self.lifespan.state, _loop=loop)

        try:
            await loop.connect_accepted_socket(protocol, connection)
        except OSError:  # the client left between the parent's accept and now
            connection.close()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        with suppress(ValueError, OSError):  # take no more connections; then uvicorn's own graceful shutdown
            asyncio.get_running_loop().remove_reader(self._channel.fileno())
        await super().shutdown(sockets=sockets)


def _exit_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
