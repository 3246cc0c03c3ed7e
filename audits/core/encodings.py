"""Text files as people save them: one decoder for every text file the tool reads (CSV exports,
the SSDA903 tables, the audit config).

Windows programs save text as UTF-8 with or without a byte order mark, as UTF-16 (Notepad's
"Unicode", with or without a BOM) or in the legacy code page cp1252 ("ANSI"); a file assembled
from several sources can mix UTF-8 and cp1252 line by line. The order: a BOM decides; UTF-16
without a BOM is recognised by its zero bytes; then UTF-8, with any byte sequence that is not
UTF-8 read as cp1252 (so `Children’s` in UTF-8 and `Zoë` pasted from a cp1252 file both survive,
and neither turns into `â€™`).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

_FALLBACK = "casefile-audit-cp1252"
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")


def _cp1252_for_the_rest(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the bytes UTF-8 cannot read, read as cp1252 (each byte on its own;
    the five bytes cp1252 leaves undefined as their Latin-1 characters)."""
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start : exc.end]
    return "".join(_cp1252(b) for b in bad), exc.end


def _cp1252(byte: int) -> str:
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


codecs.register_error(_FALLBACK, _cp1252_for_the_rest)


def utf16_without_bom(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when `head` looks like UTF-16 text saved without a BOM."""
    even_nuls = head[0::2].count(0)
    odd_nuls = head[1::2].count(0)
    half = len(head) / 2
    if odd_nuls > 0.4 * half and even_nuls < 0.05 * half:
        return "utf-16-le"
    if even_nuls > 0.4 * half and odd_nuls < 0.05 * half:
        return "utf-16-be"
    return None


def decode_bytes(data: bytes) -> str:
    """The text of a file's bytes (see the module docstring); never raises for bad bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors=_FALLBACK)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    encoding = utf16_without_bom(data[:4096])
    if encoding:
        return data.decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if _UTF8_MULTIBYTE.search(data) is None:  # no UTF-8 at all: a cp1252 file, decoded at once
        return data.decode("cp1252", errors=_FALLBACK)
    return data.decode("utf-8", errors=_FALLBACK)


def decode_file(path: Path) -> str:
    return decode_bytes(Path(path).read_bytes())
