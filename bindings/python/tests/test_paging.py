"""The lazy ROMA list iterators (roma_pages, roma_instances) follow the library's paging rules
(hwinst_roma_list_page) against a server whose pages misbehave: a list that shifts between
two requests, a server that ignores ``offset``, a lying ``total``. The server is a raw HTTP
server on loopback that answers each (offset, limit) from a table."""

from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
from typing import Any, Callable, Dict, Iterator, List, Tuple

import pytest

import hwinst

Pages = Callable[[int, int], Dict[str, Any]]


def summary(instance_id: str) -> Dict[str, Any]:
    return {"id": instance_id, "name": f"name-{instance_id}", "status": "RUNNING"}


class ListServer:
    """Answers GET /v2/{project}/instances with ``pages(offset, limit)``; records each query."""

    def __init__(self, pages: Pages) -> None:
        self.queries: List[Tuple[int, int]] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                offset, limit = int(query["offset"][0]), int(query["limit"][0])
                outer.queries.append((offset, limit))
                body = json.dumps(pages(offset, limit)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def client(self) -> hwinst.Client:
        url = f"http://127.0.0.1:{self.server.server_address[1]}"
        return hwinst.Client({
            "region": "cn-north-4",
            "project_id": "0a1b2c3d4e5f",
            "credentials": {"token": "paging-test-token"},
            "endpoints": {"roma": url},
            "allow_http": True,
            "proxy": "none",
            "retry": {"max_attempts": 1},
        })

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def serve(pages: Pages) -> Iterator[Tuple[ListServer, hwinst.Client]]:
    server = ListServer(pages)
    try:
        with server.client() as client:
            yield server, client
    finally:
        server.stop()


@pytest.fixture
def shifting() -> Iterator[Tuple[ListServer, hwinst.Client]]:
    # b is on both pages: an instance before it was deleted between the two requests.
    table = {0: ["a", "b"], 2: ["b", "c"], 4: ["d"]}
    yield from serve(lambda offset, limit: {
        "total": 5, "size": len(table.get(offset, [])),
        "instances": [summary(i) for i in table.get(offset, [])],
    })


def test_a_shifted_instance_is_yielded_once(shifting: Tuple[ListServer, hwinst.Client]) -> None:
    server, client = shifting
    assert [i.id for i in client.roma_instances(limit=2)] == ["a", "b", "c", "d"]
    # The short page at offset 4 ends it: total (5) agrees that nothing is left.
    assert server.queries == [(0, 2), (2, 2), (4, 2)]
    server.queries.clear()
    pages = list(client.roma_pages(limit=2))
    assert [[i.id for i in p.instances or []] for p in pages] == [["a", "b"], ["b", "c"], ["d"]]
    assert all(p.total == 5 for p in pages)


def test_a_server_ignoring_offset_is_a_decode_error() -> None:
    for server, client in serve(lambda offset, limit: {
        "total": 100, "size": 2, "instances": [summary("a"), summary("b")],
    }):
        instances = client.roma_instances(limit=2)
        assert [next(instances).id, next(instances).id] == ["a", "b"]
        with pytest.raises(hwinst.DecodeError, match="repeats the previous page"):
            next(instances)
        pages = client.roma_pages(limit=2)
        assert [i.id for i in next(pages).instances or []] == ["a", "b"]
        with pytest.raises(hwinst.DecodeError, match="offset 2"):
            next(pages)
        with pytest.raises(hwinst.DecodeError):
            client.roma_list_all_instances(limit=2)


def test_a_lying_total_costs_one_page_and_a_low_one_is_ignored() -> None:
    ids = [f"i{n}" for n in range(5)]
    for total in (1000, 1):
        for server, client in serve(lambda offset, limit, t=total: {
            "total": t, "size": 0, "instances": [summary(i) for i in ids[offset:offset + limit]],
        }):
            assert [i.id for i in client.roma_instances(limit=2)] == ids
            # Full pages go on whatever total says; the short page ends it unless total says
            # more, which costs one empty page.
            assert server.queries == [(0, 2), (2, 2), (4, 2)] + ([(5, 2)] if total > 5 else [])


def test_the_lazy_iterators_agree_with_the_whole_list(shifting: Tuple[ListServer, hwinst.Client]) -> None:
    _server, client = shifting
    assert client.roma_list_all_instances(limit=2) == list(client.roma_instances(limit=2))


def test_paging_arguments_are_checked_before_the_first_page(shifting: Tuple[ListServer, hwinst.Client]) -> None:
    server, client = shifting
    with pytest.raises(TypeError):
        client.roma_pages(limit="2")  # type: ignore[arg-type]
    with pytest.raises(hwinst.InvalidArgumentError):
        client.roma_instances(offset=-1)
    with pytest.raises(hwinst.InvalidArgumentError, match="limit"):
        list(client.roma_instances(limit=0))
    assert server.queries == []
