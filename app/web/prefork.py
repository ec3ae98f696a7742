"""`natokg serve --processes N`: N serving processes forked from one loaded store, fed round-robin.

Uvicorn's own multi-process mode spawns fresh interpreters, each of which would validate and load
the data again. Forking after the load readies each process in milliseconds: an in-memory store is
shared copy-on-write, an on-disk one is opened read-only by each process after the fork
(`app.store.handle`). The parent closes its query workers before forking, and each serving process
forks its own, so no pipe is ever shared.

The parent (`Supervisor`) accepts every connection and hands it to the serving processes in turn,
over a Unix socket (SCM_RIGHTS), as Node's cluster module does by default. When the processes all
accepted from the shared socket, the kernel gave a connection to whichever woke first: a client with
two connections was often served by one process while the other idled (in 8 of 27 benchmark runs).
The hand-over costs the parent one `accept` and one `sendmsg` per connection, nothing per request.
A new connection goes to a process with a query worker free, when one has (a shared count), rather
than to one whose workers are all taken by slow queries.

The parent also supervises. A serving process says it is ready over the same socket once its
application has started; one that dies before that stops the whole server (start-up failed: a
restart would fail the same way), one that dies after it was serving is replaced. A serving
process whose parent is gone finishes its connections and stops; SIGTERM or SIGINT stops them all,
each shutting down its workers, and any still running after `STOP_GRACE` seconds is killed.
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

from ..core import tally
from ..kg.runtime import Runtime
from .connections import ConnectionLimits

RESTART_PAUSE = 1.0  # a process that dies within this many seconds of starting waits this long to be replaced
STOP_GRACE = 15.0  # seconds the serving processes have to finish their connections once asked to stop
READY = b"ready"


@dataclass
class _Child:
    row: int  # its row in the shared tallies (app.core.tally), taken over by its replacement
    started: float
    channel: socket.socket  # the parent's end of the Unix socket that carries its connections
    ready: bool = False


class Supervisor:
    """The parent process: forks the serving processes, deals them connections, replaces the ones that die."""

    def __init__(self, runtime: Runtime, app: ASGIApp, listener: socket.socket, *,
                 processes: int, limits: ConnectionLimits, announce: str,
                 has_free_worker: Callable[[int], bool] | None = None) -> None:
        self._runtime = runtime
        self._app = app  # built before the fork: the serving processes share it
        self._listener = listener
        self._processes = processes
        self._limits = limits
        self._announce = announce  # printed once every serving process is ready
        self._has_free_worker = has_free_worker  # by row: a new connection goes to a process that can take a query now
        self._children: dict[int, _Child] = {}
        self._turns = itertools.count()
        self._stopping = False
        self._stop_by: float | None = None
        self._failure: str | None = None
        self._wake_read, self._wake_write = os.pipe()  # signals wake the selector through this pipe
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self._selector = selectors.DefaultSelector()

    def run(self) -> int:
        """Serve until SIGTERM or SIGINT (exit status 0), or until start-up fails (1)."""
        self._runtime.store.close()  # each serving process starts its own query workers
        self._listener.setblocking(False)
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._selector.register(self._wake_read, selectors.EVENT_READ)
        signal.signal(signal.SIGTERM, self._on_stop_signal)
        signal.signal(signal.SIGINT, self._on_stop_signal)
        signal.signal(signal.SIGCHLD, lambda signum, frame: None)  # a handler, so that the wake-up pipe hears it
        signal.set_wakeup_fd(self._wake_write)
        try:
            for row in range(self._processes):
                self._start(row)
            while self._children:
                self._wait_once()
                self._reap()
                self._enforce_grace()
        finally:
            self._kill_all()
            signal.set_wakeup_fd(-1)
            self._selector.close()
            self._listener.close()
            for fd in (self._wake_read, self._wake_write):
                os.close(fd)
        if self._failure:
            print(f"natokg: {self._failure}; stopped.", file=sys.stderr, flush=True)
            return 1
        return 0

    # --- the loop -----------------------------------------------------------------------------------------------

    def _wait_once(self) -> None:
        for key, _ in self._selector.select(timeout=1.0):  # the timeout only guards against a lost wake-up
            if key.fileobj is self._listener:
                self._hand_over()
            elif key.fileobj == self._wake_read:
                with suppress(BlockingIOError):
                    while os.read(self._wake_read, 512):
                        pass
            else:
                self._hear(key.data)
        if self._stopping and self._listener.fileno() != -1:
            self._selector.unregister(self._listener)
            self._listener.close()  # no new connections; the processes finish the ones they have

    def _hear(self, pid: int) -> None:
        """A serving process spoke on its channel: it is ready (or gone, which `_reap` handles)."""
        child = self._children.get(pid)
        if child is None:
            return
        with suppress(BlockingIOError, OSError):
            if child.channel.recv(16) == READY and not child.ready:
                child.ready = True
                if not self._stopping and all(c.ready for c in self._children.values()) and self._announce:
                    print(self._announce, flush=True)
                    self._announce = ""

    def _hand_over(self) -> None:
        """Accept every pending connection and give each to the next serving process that takes it."""
        while True:
            try:
                connection, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:  # out of file descriptors, or the client gave up: try again on the next wake
                print(f"natokg: accept failed: {error}", file=sys.stderr, flush=True)
                return
            with connection:
                if connection.family in (socket.AF_INET, socket.AF_INET6):
                    connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                serving = self._choice()
                for _ in serving:
                    child = serving[next(self._turns) % len(serving)]
                    try:
                        socket.send_fds(child.channel, [b"c"], [connection.fileno()])
                        break
                    except OSError:  # its queue is full or it is gone: the next one takes it
                        continue
                # closing our copy leaves the connection open in the process that took it (or closes it if none did)

    def _choice(self) -> list[_Child]:
        """The processes to deal the next connection among: the ready ones with a free worker, else the ready ones."""
        ready = [child for child in self._children.values() if child.ready] or list(self._children.values())
        if self._has_free_worker is None:
            return ready
        return [child for child in ready if self._has_free_worker(child.row)] or ready

    def _reap(self) -> None:
        while self._children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            child = self._children.pop(pid, None)
            if child is None:
                continue
            self._selector.unregister(child.channel)
            child.channel.close()
            if self._stopping:
                continue
            if not child.ready:  # it never served: a restart would fail the same way
                self._fail(f"serving process {pid} failed during start-up ({_exit_status(status)})")
                continue
            print(f"natokg: serving process {pid} ended ({_exit_status(status)}); starting another", file=sys.stderr, flush=True)
            if time.monotonic() - child.started < RESTART_PAUSE:
                time.sleep(RESTART_PAUSE)  # no tight loop when every process dies as soon as it serves
            if not self._stopping:
                self._start(child.row)

    def _on_stop_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop()

    def _fail(self, why: str) -> None:
        if self._failure is None:
            self._failure = why
        self._stop()

    def _stop(self) -> None:
        if not self._stopping:
            self._stopping = True
            self._stop_by = time.monotonic() + STOP_GRACE
        for pid in list(self._children):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def _enforce_grace(self) -> None:
        if self._stop_by is not None and time.monotonic() > self._stop_by:
            self._kill_all()

    def _kill_all(self) -> None:
        for pid in list(self._children):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        for pid in list(self._children):
            with suppress(ChildProcessError):
                os.waitpid(pid, 0)
            self._children.pop(pid).channel.close()

    # --- a serving process --------------------------------------------------------------------------------------

    def _start(self, row: int) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            self._serve_here(row, ours, theirs)  # never returns
        theirs.close()
        ours.setblocking(False)  # a process that stopped reading must not stall the parent
        self._children[pid] = _Child(row, time.monotonic(), ours)
        self._selector.register(ours, selectors.EVENT_READ, pid)

    def _serve_here(self, row: int, ours: socket.socket, theirs: socket.socket) -> None:
        """The body of a forked serving process: drop the parent's belongings, start workers, serve; then exit."""
        code = 0
        try:
            signal.set_wakeup_fd(-1)
            for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGCHLD):  # uvicorn installs its own handling
                signal.signal(signum, signal.SIG_DFL)
            self._selector.close()
            for fd in (self._wake_read, self._wake_write):
                os.close(fd)
            for other in [ours, self._listener, *(child.channel for child in self._children.values())]:
                other.close()
            tally.take_row(row)
            self._runtime.store.start()  # the embedded store's own query workers
            config = uvicorn.Config(self._app, log_level="info", access_log=self._runtime.settings.access_log,
                                    http=self._limits.protocol())
            server = HandedConnectionsServer(config, theirs)
            with suppress(SystemExit):  # uvicorn's way of saying the application did not start (it logged why)
                server.run()
            code = 0 if server.started else 3
        except BaseException:
            traceback.print_exc()
            code = 1
        finally:
            with suppress(BaseException):
                self._runtime.store.close()
            os._exit(code)


class HandedConnectionsServer(uvicorn.Server):
    """A uvicorn server with no listening socket: it serves the connections its parent hands it over `channel`.

    Connections are set up as uvicorn sets up those it accepts itself (its HTTP protocol class, server
    state and lifespan state), so limits, keep-alive and graceful shutdown behave the same. It tells
    the parent once the application has started; it stops when the channel reaches end of file, that
    is, when the parent is gone.
    """

    def __init__(self, config: uvicorn.Config, channel: socket.socket) -> None:
        super().__init__(config)
        self._channel = channel
        self._connecting: set[asyncio.Task[None]] = set()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=[])  # no socket of its own to accept on
        if self.should_exit:  # the application failed to start
            return
        self._channel.send(READY)
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
