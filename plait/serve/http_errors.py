"""The coded errors of the service, each with the HTTP status it is answered with."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from plait.errors import PlaitError


class ServeError(PlaitError):
    """An error answered to a client: ``status`` and a body ``{"error": {...}}`` with the code."""

    def __init__(self, status: int, message: str, *, records: Optional[List[Dict[str, Any]]] = None,
                 headers: Optional[Dict[str, str]] = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.records = records or []
        self.headers = headers or {}

    @property
    def code(self) -> str:
        return self.message[1:5] if self.message.startswith("[E") else "E000"

    def body(self) -> Dict[str, Any]:
        error: Dict[str, Any] = {"code": self.code, "status": self.status, "message": self.message}
        if self.records:
            error["records"] = self.records
        return {"error": error}
