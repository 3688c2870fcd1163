"""One classification process, talked to over two pipes that the worker's event loop reads and writes.

Why not :class:`concurrent.futures.ProcessPoolExecutor`: its batches pass through two threads of the
worker (the queue feeder, which pickles and writes, and the manager, which reads results and wakes
the loop). Both need the GIL of a process whose event loop and Faust consumer thread are busy, and
each hand-over can wait for a switch interval (5 ms). Here the loop writes a batch into a pipe and a
reader on the same loop takes the result: in alternating runs of ``make bench`` at 500 articles/s
the classify phase of a batch fell from 28–38 ms to 17–28 ms and the worker used ~0.05 cores less
(``docs/performance.md``). Each pipe is widened to 1 MiB where Linux allows, so that a whole batch
(200 articles of ~3 KB) fits and the process never waits for the loop to push the rest of it.

A batch may carry a deadline: once the process starts on it (the batch before it answered), a timer
runs, and a process still on the batch when it fires is killed, as a hung one is of no use, and a
thread could not be stopped at all. Its batches then fail as they do when it dies of anything else.

A handler may say which item of its batch it is on (:func:`report_progress`): the index lives in
shared memory, readable after the process died, so a batch that killed or hung its process names the
article it was on (:attr:`ClassifierDied.at`), and the worker can run that article alone at once
rather than halving the batch down to it.

Frames are a 4-byte big-endian length and a pickle: the process's own data, from the worker that
started it. The process answers each batch in order with ``("ok", outcomes)`` or ``("error", text)``.
It exits when its request pipe reaches end of file: the worker closed it, or died (a SIGKILLed worker
cannot stop it, but the kernel closes its pipes).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import multiprocessing
import pickle
import struct
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

_FRAME = struct.Struct("!I")
_MAX_FRAME = 2**32 - 1
PIPE_BYTES = 1 << 20  # Linux's default /proc/sys/fs/pipe-max-size: settable without privileges
_READY = b"ready"
#: Seconds between a batch's deadline and the kill, for an answer already in the pipe (see ``_overran``).
DEADLINE_GRACE = 0.25

#: In a classification process, the shared index of the item its handler is on (see report_progress).
_progress: Any = None


def report_progress(index: int) -> None:
    """Called by a batch handler before each item: if the process dies on this item, the worker learns
    which one it was; -1 once past its items, before any work on the whole batch's answer (a death
    there is no item's). Does nothing outside a classification process (the worker's own thread)."""
    if _progress is not None:
        _progress.value = index


class ClassifierDied(RuntimeError):
    """The classification process exited (killed, out of memory, failed to load its rules, or killed for
    overrunning a batch's deadline).

    ``culprit`` is true for the batch the process was working on when it died (the oldest unanswered:
    batches are answered in order), false for those queued behind it. Only the first can have killed it.
    ``sent`` is false when the process was gone before the batch reached it (it failed to load, or had
    died already): a fault of the pool, not of any batch. ``at``: for the culprit, the index of the
    item its handler was on when the process died, when the handler reports it (:func:`report_progress`).
    """

    def __init__(self, message: str, *, culprit: bool = False, sent: bool = True, at: int | None = None) -> None:
        super().__init__(message)
        self.culprit = culprit
        self.sent = sent
        self.at = at


class BatchFailed(RuntimeError):
    """The classification process could not process or return one batch (it is still running)."""


def _widen(conn: Connection) -> None:
    """Give the pipe behind ``conn`` :data:`PIPE_BYTES` of buffer (Linux; elsewhere the default stays)."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)  # type: ignore[attr-defined]
    except (ImportError, AttributeError, OSError):
        pass


def _serve(requests: Connection, results: Connection, init: Callable[[], Callable[[list[Any]], Any]],
           progress: Any) -> None:
    """The process's main loop: read a batch, answer it, until the request pipe is closed."""
    global _progress
    _progress = progress
    handle = init()
    with open(requests.fileno(), "rb", closefd=False) as inbox, \
            open(results.fileno(), "wb", closefd=False) as outbox:
        def send(payload: bytes) -> None:
            outbox.write(_FRAME.pack(len(payload)) + payload)
            outbox.flush()

        send(_READY)
        while True:
            head = inbox.read(_FRAME.size)
            if len(head) < _FRAME.size:
                return  # the worker closed the pipe, or is gone
            data = inbox.read(_FRAME.unpack(head)[0])
            progress.value = -1  # a new batch: no item yet
            try:
                result = handle(pickle.loads(data))
                progress.value = -1  # past its items: a death from here on (pickling, sending) is no item's
                answer = pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception as exc:  # noqa: BLE001 - one batch fails, the process goes on
                progress.value = -1
                answer = pickle.dumps(("error", f"{type(exc).__name__}: {exc}"))
            if len(answer) > _MAX_FRAME:
                too_big = f"an answer of {len(answer):,} bytes is over a frame's {_MAX_FRAME:,}"
                answer = pickle.dumps(("error", too_big))
            try:
                send(answer)
            except BrokenPipeError:
                return


class ClassifyProcess:
    """A spawned process running ``init()``'s handler over batches, one at a time, in order.

    ``init`` is a picklable module-level function, run in the process, that loads what is needed and
    returns the batch handler. :meth:`run` may be awaited by several batches at once: they queue in
    the pipe, so the process starts the next one as soon as it is done with the last.
    """

    def __init__(self, init: Callable[[], Callable[[list[Any]], Any]]) -> None:
        # spawn, not fork: the worker runs threads (Faust's consumer thread), and forking a threaded
        # process can deadlock the child.
        ctx = multiprocessing.get_context("spawn")
        req_out, self._req = ctx.Pipe(duplex=False)
        self._res, res_in = ctx.Pipe(duplex=False)
        _widen(self._req)
        _widen(self._res)
        # Which item of its batch the process is on: shared memory, readable after it died.
        self._progress = ctx.Value("q", -1, lock=False)
        self.process = ctx.Process(target=_serve, args=(req_out, res_in, init, self._progress), daemon=True,
                                   name="streamproc-classify")
        self.process.start()
        self._pid = self.process.pid
        req_out.close()  # only the process holds its ends: its death or ours is then an end of file
        res_in.close()
        # Batches sent and not answered, oldest first, each with its deadline in seconds (None: none).
        self._pending: collections.deque[tuple[asyncio.Future[Any], float | None]] = collections.deque()
        self._watchdog: asyncio.TimerHandle | None = None
        self._transport: asyncio.WriteTransport | None = None
        self._results: asyncio.ReadTransport | None = None
        self._reader_task: asyncio.Task[None] | None = None
        self.died: str | None = None

    @property
    def pid(self) -> int | None:
        return self._pid

    @property
    def in_flight(self) -> int:
        return len(self._pending)

    async def start(self) -> None:
        """Connect the pipes to the running loop and wait until the process has loaded (~3 s)."""
        loop = asyncio.get_running_loop()
        reader = asyncio.StreamReader(limit=1 << 26)
        try:
            self._results, _ = await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), self._res)
            self._transport, _ = await loop.connect_write_pipe(asyncio.Protocol, self._req)
        except OSError as exc:  # a process the loop cannot talk to is as good as dead: it is replaced
            self.died = f"could not be connected to ({type(exc).__name__}: {exc})"
            raise ClassifierDied(f"the classification process {self.died}", sent=False) from exc
        try:
            ready = await self._frame(reader)
        except (asyncio.IncompleteReadError, OSError) as exc:
            self.died = f"exited while loading (exit code {self._exit_code()})"
            raise ClassifierDied(f"the classification process {self.died}", sent=False) from exc
        if ready != _READY:
            raise ClassifierDied(f"the classification process sent {ready[:20]!r} instead of ready", sent=False)
        self._reader_task = asyncio.create_task(self._read(reader), name="streamproc-classify-results")

    @staticmethod
    async def _frame(reader: asyncio.StreamReader) -> bytes:
        (size,) = _FRAME.unpack(await reader.readexactly(_FRAME.size))
        return await reader.readexactly(size)

    async def _read(self, reader: asyncio.StreamReader) -> None:
        try:
            while True:
                status, body = pickle.loads(await self._frame(reader))
                future, _ = self._pending.popleft()
                self._arm()  # the process is on the next batch now
                if future.done():
                    continue
                if status == "ok":
                    future.set_result(body)
                else:
                    future.set_exception(BatchFailed(body))
        except (asyncio.IncompleteReadError, OSError):
            pass
        except asyncio.CancelledError:
            self.died = self.died or "stopped"
            raise
        except Exception as exc:  # noqa: BLE001 - a frame that does not unpickle: the stream is lost
            self.died = f"sent an unreadable answer ({type(exc).__name__}: {exc}) and was stopped"
            self.process.kill()
        finally:
            self._disarm()
            self.died = self.died or f"exited (exit code {self._exit_code()})"
            culprit = True  # the oldest batch was the one being classified
            at = self._progress.value if self._progress.value >= 0 else None
            while self._pending:
                future, _ = self._pending.popleft()
                if not future.done():
                    future.set_exception(ClassifierDied(f"the classification process {self.died}", culprit=culprit,
                                                        at=at if culprit else None))
                culprit = False

    def _arm(self) -> None:
        """Start the deadline of the batch the process is now on, if it has one."""
        self._disarm()
        if self._pending:
            future, deadline = self._pending[0]
            if deadline is not None:
                self._watchdog = asyncio.get_running_loop().call_later(deadline, self._overran, future, deadline)

    def _disarm(self) -> None:
        if self._watchdog is not None:
            self._watchdog.cancel()
            self._watchdog = None

    def _overran(self, future: asyncio.Future[Any], deadline: float, final: bool = False) -> None:
        """The deadline fired: kill a process still on that batch (its reader then fails every batch).

        Not at once: when the loop was busy past the deadline, the timer and the batch's answer fall
        due in the same pass, and timers run before the reader's task takes what the pipe holds. The
        process had answered in time; killing it would fail the batch it had moved on to as the one
        that killed it. So the timer looks again :data:`DEADLINE_GRACE` seconds later; the answer,
        if it came, has been read by then and re-armed the watchdog for the next batch (cancelling
        this second look)."""
        if not (self._pending and self._pending[0][0] is future and self.died is None):
            return
        if not final:
            self._watchdog = asyncio.get_running_loop().call_later(DEADLINE_GRACE, self._overran, future, deadline, True)
            return
        self.died = f"spent over {deadline:g} s on one batch and was killed"
        self.process.kill()

    def _exit_code(self) -> int | None:
        # Called once its pipe reached end of file: the process has exited or is exiting, and is
        # reaped within milliseconds (the join returns then, not after its timeout).
        self.process.join(0.5)
        return self.process.exitcode

    async def run(self, batch: list[Any], deadline: float | None = None) -> Any:
        """The handler's answer for ``batch``; :class:`ClassifierDied` if the process is gone, or was
        killed because it spent over ``deadline`` seconds on this batch (or another)."""
        if self.died is not None or self._transport is None or self._transport.is_closing():
            raise ClassifierDied(f"the classification process {self.died or 'is not running'}", sent=False)
        # The frame first: a batch that cannot be sent must not leave a future in the queue, or every
        # later answer would go to the batch before its own.
        try:
            payload = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
            frame = _FRAME.pack(len(payload)) + payload
        except Exception as exc:  # unpicklable, or over 4 GiB
            raise BatchFailed(f"the batch cannot be sent to the classification process: "
                              f"{type(exc).__name__}: {exc}") from exc
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending.append((future, deadline))
        if len(self._pending) == 1:
            self._arm()
        self._transport.write(frame)
        return await future

    def stop(self) -> None:
        """Close the request pipe (the process exits at its end) and kill it, in case it is mid-batch."""
        self.died = self.died or "stopped"
        self._disarm()
        # abort(), not close(): a close waits to flush what is buffered, and a flush after the pipe's
        # fd was closed and reused (by the next process's pipe) would write this batch into that one.
        # The transports own the pipes and close them; a pipe never given to one is closed here.
        if self._transport is None:
            self._req.close()
        elif not self._transport.is_closing():  # closed already when the process's end went first
            self._transport.abort()
        if self._results is None:
            self._res.close()
        elif not self._results.is_closing():
            self._results.close()  # a read transport has nothing to flush: it lets go at once
        if self._reader_task is not None:
            self._reader_task.cancel()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(1)
        with contextlib.suppress(ValueError):  # its sentinel fds now, not at the next full collection
            self.process.close()

