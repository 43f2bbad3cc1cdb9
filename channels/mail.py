"""Outgoing e-mail over SMTP for the outbox (followers' notices, replies to citizens).

Errors become :class:`~channels.fanout.PublishError`: a refused address or a 5xx answer is
permanent (not retried); a connection problem or a 4xx answer is retried with backoff.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

from channels.fanout import PublishError


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str
    message_id: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class SmtpMailer:
    host: str
    port: int = 25
    sender: str = "smc@localhost"
    user: str = ""
    password: str = ""
    starttls: bool = False
    timeout: float = 10.0

    def message(self, mail: Mail) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Message-ID"] = mail.message_id
        message["Date"] = formatdate(usegmt=True)
        for name, value in mail.headers.items():
            message[name] = value
        message.set_content(mail.body)
        return message

    def send(self, mail: Mail) -> str:
        """Send one mail; returns its Message-ID."""
        where = f"smtp {self.host}:{self.port}"
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.user:
                    smtp.login(self.user, self.password)
                refused = smtp.send_message(self.message(mail))
        except smtplib.SMTPRecipientsRefused:
            raise PublishError(f"{where} refused the recipient", permanent=True) from None
        except smtplib.SMTPResponseException as exc:
            reason = f"{where}: {exc.smtp_code} {_text(exc.smtp_error)}"
            raise PublishError(_scrub(reason), permanent=exc.smtp_code >= 500) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise PublishError(_scrub(f"{where}: {type(exc).__name__}: {exc}")) from None
        if refused:
            raise PublishError(f"{where} refused the recipient", permanent=True)
        return mail.message_id


ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+")


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _scrub(reason: str) -> str:
    """Failure reasons are recorded in events: no e-mail address may be in them."""
    return ADDRESS.sub("<address>", reason)[:300]
