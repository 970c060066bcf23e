"""The test suite refuses non-loopback connections, in this process, in child processes and in notebook kernels.

So a notebook or helper that tried to download anything (librosa.example, a dataset, a font) would fail the tests.
"""

import socket
import subprocess
import sys
import threading

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

TEST_NET_ADDRESS = ("192.0.2.1", 80)  # reserved for documentation (RFC 5737): never a real host


def test_outside_connections_are_blocked_here():
    with pytest.raises(ConnectionRefusedError, match="blocked"):
        socket.create_connection(TEST_NET_ADDRESS, timeout=1)
    with pytest.raises(ConnectionRefusedError, match="blocked"):
        socket.getaddrinfo("example.org", 443)


def test_loopback_still_works():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(server.accept()))
    thread.start()
    with socket.create_connection(server.getsockname(), timeout=5) as client:
        client.sendall(b"hi")
    thread.join(timeout=5)
    server.close()
    assert accepted


def test_child_python_processes_are_blocked_too():
    code = "import socket; socket.create_connection(('192.0.2.1', 80), timeout=1)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "NetworkAccessBlocked" in result.stderr


def test_notebook_kernels_are_blocked_too():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import urllib.request\nurllib.request.urlopen('http://192.0.2.1/')")]
    client = NotebookClient(notebook, timeout=120, kernel_name="python3")
    with pytest.raises(CellExecutionError) as excinfo:
        client.execute()
    assert "blocked" in str(excinfo.value)
