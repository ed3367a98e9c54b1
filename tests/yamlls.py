"""A small Language Server Protocol client for yaml-language-server (the YAML server VS Code and Neovim use).

Used by tests/test_editor_schema.py when ``yaml-language-server`` is on PATH
(``npm install -g yaml-language-server``); it opens files as an editor would and
reads back the diagnostics, completions and hover text the schema produces.
"""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from pathlib import Path
from typing import IO, Any

SETTINGS = {"validate": True, "completion": True, "hover": True, "schemaStore": {"enable": False}}
WAIT_S = 60.0  # the most to wait for one answer: a stuck server fails the test instead of hanging it


class YamlLanguageServer:
    """``yaml-language-server --stdio``, started, initialised, and stopped by ``close``."""

    def __init__(self, command: str) -> None:
        self.process = subprocess.Popen(
            [command, "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.held: list[dict[str, Any]] = []
        self.last_id = 0
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        self.request("initialize", {"processId": None, "rootUri": None, "capabilities": {"workspace": {"configuration": True}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": {"yaml": SETTINGS}})

    def _read(self, stream: IO[bytes]) -> None:
        while True:
            length = 0
            while (line := stream.readline().decode("ascii", "replace").strip()) != "":
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            if not length:
                return  # the server closed its output
            message = json.loads(stream.read(length))
            if "method" in message and "id" in message:  # the server asks: its settings, or nothing we serve
                items = message.get("params", {}).get("items", [])
                answer = [SETTINGS for _ in items] if message["method"] == "workspace/configuration" else None
                self._send({"jsonrpc": "2.0", "id": message["id"], "result": answer})
            else:
                self.messages.put(message)

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(data) + data)
        self.process.stdin.flush()

    def _next(self) -> dict[str, Any]:
        return self.messages.get(timeout=WAIT_S)

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict[str, Any]) -> Any:
        self.last_id += 1
        self._send({"jsonrpc": "2.0", "id": self.last_id, "method": method, "params": params})
        while True:
            message = self._next()
            if message.get("id") == self.last_id:
                return message.get("result")
            self.held.append(message)

    def open(self, path: Path) -> list[dict[str, Any]]:
        """Open ``path`` as an editor does; the diagnostics the server publishes for it."""
        uri = path.resolve().as_uri()
        text = path.read_text(encoding="utf-8")
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}})
        while True:
            for message in self.held:
                if message.get("method") == "textDocument/publishDiagnostics" and message["params"]["uri"] == uri:
                    self.held.remove(message)
                    return list(message["params"]["diagnostics"])
            self.held.append(self._next())

    def completion(self, path: Path, line: int, character: int) -> list[str]:
        result = self.request("textDocument/completion", {
            "textDocument": {"uri": path.resolve().as_uri()}, "position": {"line": line, "character": character},
        })
        items = result.get("items", []) if isinstance(result, dict) else result or []
        return sorted(str(item["label"]) for item in items)

    def hover(self, path: Path, line: int, character: int) -> str:
        result = self.request("textDocument/hover", {
            "textDocument": {"uri": path.resolve().as_uri()}, "position": {"line": line, "character": character},
        })
        return json.dumps(result)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()
