"""E-mails printed on the console in development, as a person would read them.

Django's console backend prints the encoded message: accented French comes
out quoted-printable (« r=C3=A9serv=C3=A9 »). This one prints the headers
that matter and each text part decoded, attachments by name only.
"""

from __future__ import annotations

from email.message import EmailMessage as MimeMessage
from typing import Any

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

SHOWN_HEADERS = ("From", "To", "Cc", "Reply-To", "Subject", "Date")


class EmailBackend(DjangoConsoleBackend):
    def write_message(self, message: Any) -> None:
        mime: MimeMessage = message.message()
        lines = [f"{name}: {mime[name]}" for name in SHOWN_HEADERS if mime[name]]
        for part in mime.walk():
            if part.is_multipart():
                continue
            filename = part.get_filename()
            if filename or part.get_content_maintype() != "text":
                lines.append(f"[attachment: {filename or part.get_content_type()}]")
                continue
            lines.append(f"--- {part.get_content_type()}")
            payload = part.get_payload(decode=True)
            raw = payload if isinstance(payload, bytes) else b""
            lines.append(raw.decode(part.get_content_charset() or "utf-8", errors="replace"))
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
