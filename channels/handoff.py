"""District grievance-system adapters for triage hand-offs: an Open311 GeoReport v2 client
(``POST requests.json``) and plain e-mail over SMTP. Configured per district code in
``SMC_TRIAGE_HANDOFF`` (JSON), e.g.::

    {"11440": {"kind": "open311", "url": "https://mapo.example/open311/v2",
               "api_key": "...", "service_code": "smc"},
     "*":     {"kind": "smtp", "host": "smtp.example", "port": "25",
               "from": "smc@seoul.go.kr", "to": "minwon@{district}.example"}}
"""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

import httpx

from domain.triage_service import HandOffError, HandOffPort, HandOffRequest


@dataclass
class Open311HandOff:
    """POST a service request to a district's Open311 GeoReport v2 endpoint."""

    base_url: str
    api_key: str = ""
    service_code: str = "smc-triage"
    timeout: float = 10.0
    name: str = "open311"

    def deliver(self, request: HandOffRequest) -> str:
        form: dict[str, Any] = {
            "service_code": self.service_code,
            "description": request.text[:4000],
            "attribute[smc_reference]": request.reference,
            "attribute[category]": request.category or "",
            "attribute[request_class]": request.request_class or "",
        }
        if self.api_key:
            form["api_key"] = self.api_key
        if request.lat is not None and request.lon is not None:
            form.update(lat=request.lat, long=request.lon)
        elif request.address:
            form["address_string"] = request.address
        url = f"{self.base_url.rstrip('/')}/requests.json"
        try:
            response = httpx.post(url, data=form, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise HandOffError(f"{url}: {type(exc).__name__}: {exc}") from None
        return _open311_reference(url, response)


def _open311_reference(url: str, response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400:
        text = body[0].get("description") if _list_of_dicts(body) else response.text[:200]
        refused = response.status_code < 500 and response.status_code not in (408, 429)
        raise HandOffError(f"{url}: HTTP {response.status_code}: {text}", permanent=refused)
    if not _list_of_dicts(body):
        raise HandOffError(f"{url}: answer is not an Open311 list: {response.text[:200]}")
    first = body[0]
    ref = first.get("service_request_id") or first.get("token")
    if not ref:
        raise HandOffError(f"{url}: answer has neither service_request_id nor token")
    return str(ref)


def _list_of_dicts(body: Any) -> bool:
    return isinstance(body, list) and bool(body) and isinstance(body[0], dict)


@dataclass
class SmtpHandOff:
    """Send the report as an e-mail to the district's grievance desk."""

    host: str
    port: int
    sender: str
    to: str  # may contain {district}
    timeout: float = 10.0
    name: str = "smtp"

    def deliver(self, request: HandOffRequest) -> str:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = self.to.format(district=request.district_code)
        message["Subject"] = f"[SMC] {request.category or '-'} / {request.reference}"
        message["Message-ID"] = f"<{request.reference}@smc.triage>"
        where = f"{request.lat}, {request.lon}" if request.lat is not None else request.address
        message.set_content(
            f"SMC reference: {request.reference}\nDistrict: {request.district_code}\n"
            f"Category: {request.category}\nRequest class: {request.request_class}\n"
            f"Location: {where or '-'}\n\n{request.text}\n"
        )
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                refused = smtp.send_message(message)
        except smtplib.SMTPResponseException as exc:
            permanent = exc.smtp_code >= 500
            raise HandOffError(
                f"smtp {self.host}:{self.port}: {exc}", permanent=permanent
            ) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise HandOffError(f"smtp {self.host}:{self.port}: {exc}") from None
        if refused:
            msg = f"smtp {self.host}:{self.port} refused {sorted(refused)}"
            raise HandOffError(msg, permanent=True)
        return str(message["Message-ID"])


def build_handoffs(config: Mapping[str, Mapping[str, str]]) -> dict[str, HandOffPort]:
    """Adapters per district code from the settings (raises ValueError on a bad entry)."""
    ports: dict[str, HandOffPort] = {}
    for district, raw in config.items():
        kind = raw.get("kind")
        if kind == "open311" and raw.get("url"):
            ports[district] = Open311HandOff(
                raw["url"], raw.get("api_key", ""), raw.get("service_code", "smc-triage")
            )
        elif kind == "smtp" and raw.get("host") and raw.get("to"):
            ports[district] = SmtpHandOff(
                raw["host"], int(raw.get("port", "25")), raw.get("from", "smc@localhost"), raw["to"]
            )
        else:
            msg = f"SMC_TRIAGE_HANDOFF[{district}]: need kind open311 (url) or smtp (host, to)"
            raise ValueError(msg)
    return ports
