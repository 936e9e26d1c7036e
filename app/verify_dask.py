"""``scrutin verify RECORD --dask ADDRESS``: ballot chunks verified on an existing Dask cluster
(the optional extra ``scrutin[dask]``; docs/operations.md, "A million voters").

The client (this process) streams the record as usual (app/record_file.py) and submits each
chunk of ballots as one task ``crypto.record.verify_ballot_chunk(manifests, chunk)``; the
manifests are scattered to every worker once, and each worker process builds the ballot
contexts once. At most two chunks per worker thread are in flight, so the client's memory stays
bounded too. Every check other than the ballots runs here, as without Dask. Workers need this
package importable (the same version as the client); run them with one thread each
(``dask worker ADDRESS --nthreads 1 --nworkers N``): the checks are CPU-bound Python.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import TracebackType
from typing import Any

from crypto.record import BallotTask, ChunkResult, Manifests, verify_ballot_chunk


class DaskUnavailable(RuntimeError):
    """The extra is not installed, or the scheduler cannot be reached."""


class DaskFanout:
    """``crypto.record.Fanout`` over the Dask scheduler at ``address`` (a context manager)."""

    def __init__(self, address: str, *, timeout: float = 30) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise DaskUnavailable("--dask needs the dask extra: pip install 'scrutin[dask]'") from None
        try:
            self.client: Any = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise DaskUnavailable(f"cannot reach the Dask scheduler at {address}: {exc}") from None

    def __enter__(self) -> DaskFanout:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.client.close()

    def workers(self) -> int:
        """Worker threads of the cluster now (at least 1)."""
        return max(1, sum(self.client.nthreads().values()))

    def map(self, manifests: Manifests, chunks: Iterator[list[BallotTask]]) -> Iterator[ChunkResult]:
        from distributed import as_completed

        shared = self.client.scatter(manifests, broadcast=True, hash=False)
        window = 2 * self.workers()
        running = as_completed(loop=self.client.loop)
        submitted: list[Any] = []
        try:
            for chunk in chunks:
                future = self.client.submit(verify_ballot_chunk, shared, chunk, pure=False)
                submitted.append(future)
                running.add(future)
                while running.count() >= window:
                    yield next(running).result()
            for future in running:
                yield future.result()
        finally:  # on a failure (or an interrupted client), nothing is left running
            running.clear()
            self.client.cancel([f for f in submitted if not f.done()])
