"""One look for every mail Convene writes: a plain-text body and its HTML twin, built from the same parts.

The HTML is what mail clients render reliably: tables for layout, inline styles, the business name on
top, one button for the main link, and colours that stay readable when a client switches to dark mode
(``color-scheme`` plus a ``prefers-color-scheme`` block for the clients that honour it; the others invert
a light page, which these neutral colours survive). Every text is escaped here, once: callers hand in
plain text, never markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage

ACCENT = "#2456c7"  # the button; white text on it passes WCAG AA (contrast 6.6:1)


@dataclass(frozen=True)
class Letter:
    business: str  # the sender people know (CONVENE_MAIL_FROM_NAME), shown on top
    greeting: str  # "Hello Ann,"
    paragraphs: Sequence[str] = ()
    details: Sequence[tuple[str, str]] = ()  # ("When", "Wed 28 Oct …"): a small table after the text
    button: tuple[str, str] | None = None  # (label, url): the one thing to do
    links: Sequence[tuple[str, str]] = ()  # (label, url): further, smaller links
    footer: Sequence[str] = ()  # why this mail came, how to stop it
    footer_link: tuple[str, str] | None = None  # (label, url), e.g. unsubscribe
    marker: str = ""  # the reply marker above which an answer by mail is read
    sections: Sequence[tuple[str, str, Sequence[str]]] = field(default=())  # (title, url, lines)
    choices: Sequence[tuple[str, str]] = ()  # (label, url): a list to pick from, before the button


def plain_text(letter: Letter) -> str:
    lines: list[str] = []
    if letter.marker:
        lines += [letter.marker, ""]
    lines += [letter.greeting, ""]
    for paragraph in letter.paragraphs:
        lines += [paragraph, ""]
    for label, value in letter.details:
        lines.append(f"{label}: {value}")
    if letter.details:
        lines.append("")
    for title, url, body in letter.sections:
        lines += [f"== {title} ==", f"Open it here: {url}", ""]
        for line in body:
            lines += [line, ""]
    for label, url in letter.choices:
        lines.append(f"- {label}: {url}")
    if letter.choices:
        lines.append("")
    if letter.button:
        lines += [f"{letter.button[0]}: {letter.button[1]}", ""]
    for label, url in letter.links:
        lines.append(f"{label}: {url}")
    if letter.links:
        lines.append("")
    if letter.footer or letter.footer_link:
        lines.append("--")
        lines += list(letter.footer)
        if letter.footer_link:
            lines.append(f"{letter.footer_link[0]}: {letter.footer_link[1]}")
    while lines and not lines[-1]:
        lines.pop()
    lines += ["", letter.business]
    return "\n".join(lines) + "\n"


def _e(text: str) -> str:
    return html.escape(text, quote=True).replace("\n", "<br>")


_P = "margin:0 0 16px;font-size:16px;line-height:24px;color:#1f2933;"
_SMALL = "margin:0 0 8px;font-size:13px;line-height:20px;color:#5f6b7a;"


def html_text(letter: Letter) -> str:
    rows: list[str] = []
    if letter.marker:
        rows.append(f'<p class="muted" style="{_SMALL}">{_e(letter.marker)}</p>')
    rows.append(f'<p style="{_P}">{_e(letter.greeting)}</p>')
    rows += [f'<p style="{_P}">{_e(p)}</p>' for p in letter.paragraphs]
    if letter.details:
        cells = "".join(
            f'<tr><td style="padding:4px 16px 4px 0;font-size:14px;color:#5f6b7a;vertical-align:top;'
            f'white-space:nowrap">{_e(label)}</td>'
            f'<td style="padding:4px 0;font-size:15px;color:#1f2933">{_e(value)}</td></tr>'
            for label, value in letter.details
        )
        rows.append(
            f'<table role="presentation" cellpadding="0" cellspacing="0" style="margin:0 0 16px">{cells}</table>'
        )
    for title, url, body in letter.sections:
        rows.append(
            f'<h2 style="margin:8px 0 8px;font-size:17px"><a href="{_e(url)}" style="color:{ACCENT}">'
            f"{_e(title)}</a></h2>"
        )
        rows += [f'<p style="{_P}">{_e(line)}</p>' for line in body]
    for label, url in letter.choices:
        rows.append(
            f'<p style="margin:0 0 8px"><a href="{_e(url)}" style="display:inline-block;padding:8px 14px;'
            f'border:1px solid {ACCENT};border-radius:6px;color:{ACCENT};text-decoration:none;font-size:15px">'
            f"{_e(label)}</a></p>"
        )
    if letter.button:
        label, url = letter.button
        rows.append(
            '<table role="presentation" cellpadding="0" cellspacing="0" style="margin:8px 0 24px"><tr>'
            f'<td style="border-radius:6px;background:{ACCENT}">'
            f'<a class="button" href="{_e(url)}" style="display:inline-block;padding:12px 22px;'
            "font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;"
            f'background:{ACCENT}">{_e(label)}</a></td></tr></table>'
        )
    if letter.links:
        rows.append(
            f'<p style="{_SMALL}">'
            + " &nbsp;·&nbsp; ".join(
                f'<a href="{_e(url)}" style="color:{ACCENT}">{_e(label)}</a>' for label, url in letter.links
            )
            + "</p>"
        )
    foot = [f'<p class="muted" style="{_SMALL}">{_e(line)}</p>' for line in letter.footer]
    if letter.footer_link:
        label, url = letter.footer_link
        foot.append(f'<p style="{_SMALL}"><a href="{_e(url)}" style="color:#5f6b7a">{_e(label)}</a></p>')
    body = "\n".join(rows)
    footer = "\n".join(foot)
    name = _e(letter.business)
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>{name}</title>
<style>
@media (prefers-color-scheme: dark) {{
  body, .page {{ background:#111418 !important; }}
  .card {{ background:#1c2128 !important; }}
  .card p, .card td, .card h2 {{ color:#e6e9ed !important; }}
  .card .muted {{ color:#a3adba !important; }}
  .brand {{ color:#e6e9ed !important; }}
  .card a:not(.button), .muted a {{ color:#9dbcff !important; }}
}}
</style>
</head>
<body style="margin:0;padding:0;background:#f3f5f8">
<table role="presentation" class="page" width="100%" cellpadding="0" cellspacing="0" style="background:#f3f5f8">
<tr><td align="center" style="padding:24px 12px">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px">
<tr><td class="brand" style="padding:0 8px 12px;font:600 18px/24px -apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2933">{name}</td></tr>
<tr><td class="card" style="background:#ffffff;border-radius:8px;padding:28px 28px 12px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">
{body}
</td></tr>
<tr><td style="padding:16px 8px;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">
{footer}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
"""


def fill(message: EmailMessage, letter: Letter) -> EmailMessage:
    """The two parts, text first (multipart/alternative: a client shows the last one it can)."""
    message.set_content(plain_text(letter))
    message.add_alternative(html_text(letter), subtype="html")
    return message
