"""What a user's file is before any table is read: readable?, compressed?, Excel?, which text
encoding, which delimiter, which decimal mark.

``check_file`` turns every way a path can fail (missing, a folder, too long, no permission,
a loop of symbolic links) into a DatasetError naming the path. ``probe_file`` looks at the
first bytes only:

- compression by content (magic bytes), whatever the extension: gzip, bz2, xz, zip; a zip
  holding ``xl/workbook.xml`` is an Excel workbook;
- text encoding: a UTF-8 or UTF-16 byte-order mark, else UTF-8 if the sample decodes, else
  what charset-normalizer finds (Windows-1252 for most spreadsheet exports), with a note;
- a sample with NUL bytes (and no UTF-16 mark) is not text;
- delimiter among ``,`` ``;`` tab ``|`` by ``csv.Sniffer``, checked against the header
  line; with ``;``, tab or ``|``, decimal commas ("1,5") when the sample shows them.
"""

from __future__ import annotations

import bz2
import codecs
import csv
import errno
import gzip
import io
import lzma
import os
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from gdapp.datasets.errors import DatasetError

SAMPLE_BYTES = 64 * 1024  # what the probe reads (after decompression)
MAX_HEADER_BYTES = 1024 * 1024  # a header line longer than this is not a table's header
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bz2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"PK\x03\x04", "zip"),
)
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DECIMAL_COMMA = re.compile(r"^\s*[-+]?\d+,\d+\s*$")
_DECIMAL_POINT = re.compile(r"^\s*[-+]?\d*\.\d+\s*$")
# The errors a file system reports for a path, in the words a user reads.
_OS_PROBLEMS = {
    errno.ENOENT: "no such file",
    errno.ENAMETOOLONG: "the file name or path is too long",
    errno.ELOOP: "the path is a loop of symbolic links",
    errno.EACCES: "no permission to read the file",
    errno.EPERM: "no permission to read the file",
    errno.ENOTDIR: "a part of the path is not a folder",
    errno.EISDIR: "not a file but a folder",
}


@dataclass(frozen=True)
class FileProbe:
    """How to read ``path``: ``kind`` "csv" or "excel", the compression (pandas' name or
    None), the text ``encoding``, ``delimiter``, ``decimal`` mark, and ``notes`` a user
    should see (e.g. the encoding was guessed)."""

    path: Path
    kind: str
    compression: str | None = None
    encoding: str = "utf-8"
    delimiter: str = ","
    decimal: str = "."
    notes: tuple[str, ...] = ()


def os_problem(exc: OSError) -> str:
    """An OSError in a user's words (no Python exception names)."""
    known = _OS_PROBLEMS.get(exc.errno)
    if known:
        return known
    return f"cannot read the file: {exc.strerror or exc}"


def _short(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 120 else f"{text[:50]}…{text[-50:]}"


def check_file(path: str | os.PathLike[str]) -> Path:
    """Return ``path`` as a Path if it names a non-empty readable file, else raise."""
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str | os.PathLike):
        raise DatasetError(f"a file path must be text, got {type(path).__name__}")
    path = Path(path)
    if not str(path).strip():
        raise DatasetError("no file given")
    try:
        info = path.stat()
    except OSError as exc:
        problem = os_problem(exc)
        if exc.errno == errno.ENOENT:
            problem = f"no such file ({_short(path)})"
        raise DatasetError(problem, path=path) from None
    except ValueError as exc:  # e.g. an embedded NUL character
        raise DatasetError(f"not a usable file name ({exc})", path=path) from None
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "is a device or a pipe, not a regular file"
        raise DatasetError(f"not a file ({_short(path)} {what})", path=path)
    if info.st_size == 0:
        raise DatasetError("the file is empty (0 bytes)", path=path)
    if not os.access(path, os.R_OK):
        raise DatasetError("no permission to read the file", path=path)
    return path


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Turn what opening and decompressing a file can raise into a DatasetError."""
    try:
        yield
    except DatasetError:
        raise
    except OSError as exc:  # includes gzip.BadGzipFile
        if exc.errno is None:
            raise DatasetError(f"damaged or not what it seems: {exc}", path=path) from None
        raise DatasetError(os_problem(exc), path=path) from None
    except (EOFError, lzma.LZMAError, zipfile.BadZipFile, zlib.error) as exc:
        raise DatasetError(f"the compressed file is damaged ({exc})", path=path) from None


def _compression(head: bytes) -> str | None:
    return next((name for magic, name in _MAGIC if head.startswith(magic)), None)


def open_binary(path: Path, compression: str | None) -> IO[bytes]:
    """The file's bytes, decompressed."""
    if compression == "gzip":
        return gzip.open(path, "rb")
    if compression == "bz2":
        return bz2.open(path, "rb")
    if compression == "xz":
        return lzma.open(path, "rb")
    if compression == "zip":
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if len(names) != 1:
            archive.close()
            raise DatasetError(
                f"the zip archive holds {len(names)} files; it must hold exactly one table",
                path=path,
            )
        return _ZipMember(archive, names[0])
    return path.open("rb")


class _ZipMember(io.BufferedReader):
    """A zip member that closes its archive too."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        super().__init__(archive.open(name))  # type: ignore[arg-type]
        self._archive = archive

    def close(self) -> None:
        super().close()
        self._archive.close()


def open_text(probe: FileProbe) -> IO[str]:
    """The file as text lines (decompressed, decoded; undecodable bytes replaced)."""
    binary = open_binary(probe.path, probe.compression)
    return io.TextIOWrapper(binary, encoding=probe.encoding, errors="replace", newline="")


def probe_file(path: str | os.PathLike[str]) -> FileProbe:
    """Check ``path`` and find how to read it (see the module docstring)."""
    path = check_file(path)
    with reading(path):
        with path.open("rb") as handle:
            head = handle.read(8)
        compression = _compression(head)
        if head.startswith(_OLD_EXCEL_MAGIC):
            raise DatasetError(
                "an old Excel (.xls) workbook; save it as .xlsx or CSV and open that", path=path
            )
        if compression == "zip" and _is_workbook(path):
            return FileProbe(path, "excel")
        with open_binary(path, compression) as handle:
            sample = handle.read(SAMPLE_BYTES)
    if not sample:
        raise DatasetError("the file is empty once decompressed", path=path)
    encoding, notes = _encoding(sample, path)
    text = _decode_sample(sample, encoding)
    _check_text(text, path)
    delimiter, decimal = _layout(text, path)
    if delimiter != ",":
        notes.append(f"Columns separated by {DELIMITER_NAMES[delimiter]}s.")
    if decimal == ",":
        notes.append("Decimal commas read (1,5 is one and a half).")
    if compression is not None:
        notes.append(f"Read through {compression} decompression.")
    return FileProbe(path, "csv", compression, encoding, delimiter, decimal, tuple(notes))


def _is_workbook(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return "xl/workbook.xml" in archive.namelist()


def _encoding(sample: bytes, path: Path) -> tuple[str, list[str]]:
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", []
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", ["Read as UTF-16 text."]
    if b"\x00" in sample:
        offset = sample.index(b"\x00")
        raise DatasetError(
            f"not a text file (it holds binary data: byte 0x00 at offset {offset}); "
            "choose a CSV or Excel file",
            path=path,
        )
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:  # not merely a character cut at the sample's end
            return _guess_encoding(sample, path)
    return "utf-8", []


def _guess_encoding(sample: bytes, path: Path) -> tuple[str, list[str]]:
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise DatasetError(
            "not a text file (its bytes are no known text encoding); choose a CSV or Excel file",
            path=path,
        )
    encoding = codecs.lookup(best.encoding).name
    # Most non-UTF-8 tables come from Western-European spreadsheets; cp1252 also decodes
    # latin-1 text, except for its five unused bytes.
    if encoding in ("latin-1", "iso8859-1", "iso8859-15", "cp1250", "cp1252"):
        encoding = "cp1252"
        try:
            sample.decode(encoding)
        except UnicodeDecodeError:
            encoding = "latin-1"
    return encoding, [f"Not UTF-8 text: read as {encoding}."]


def _check_text(text: str, path: Path) -> None:
    """Refuse a sample whose characters are more than 1 % control codes or undecodable."""
    odd = sum(1 for ch in text if (ch < " " and ch not in "\t\r\n") or ch in "\ufffd\x7f")
    if odd > max(len(text) // 100, 0) and odd > 2:
        raise DatasetError(
            "not a text file (it holds binary data); choose a CSV or Excel file", path=path
        )


def _decode_sample(sample: bytes, encoding: str) -> str:
    text = sample.decode(encoding, errors="replace")
    return text.lstrip("\ufeff")


def _layout(text: str, path: Path) -> tuple[str, str]:
    """(delimiter, decimal mark) from the sample's text."""
    newline = min((i for i in (text.find("\n"), text.find("\r")) if i >= 0), default=-1)
    if newline < 0 and len(text) >= SAMPLE_BYTES // 4:  # 4 bytes per character at most
        raise DatasetError(
            f"no line break in the first {len(text):,} characters; a table starts with a "
            "line of column names",
            path=path,
            row=1,
        )
    header = text if newline < 0 else text[:newline]
    lines = [line for line in text.splitlines()[:50] if line.strip()]
    if len(text) >= SAMPLE_BYTES and len(lines) > 1:
        lines = lines[:-1]  # the sample may end inside a line
    delimiter = _sniff_delimiter("\n".join(lines), header)
    decimal = "."
    if delimiter != ",":
        cells = [cell for line in lines[1:] for cell in line.split(delimiter)]
        commas = sum(1 for c in cells if _DECIMAL_COMMA.match(c.strip('"')))
        points = sum(1 for c in cells if _DECIMAL_POINT.match(c.strip('"')))
        if commas and not points:
            decimal = ","
    return delimiter, decimal


def _sniff_delimiter(sample: str, header: str) -> str:
    try:
        found = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        found = None
    if found in DELIMITERS and found in header:
        return found
    # Sniffer found nothing consistent: take the candidate the header line uses most.
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def wrap_binary(raw: IO[bytes], compression: str | None):
    """A context manager giving ``raw`` (an open binary file) decompressed."""
    if compression == "gzip":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if compression == "bz2":
        return bz2.BZ2File(raw, "rb")
    if compression == "xz":
        return lzma.LZMAFile(raw, "rb")
    if compression == "zip":
        archive = zipfile.ZipFile(raw)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        return archive.open(names[0])  # probe_file checked there is exactly one
    return _Uncompressed(raw)


class _Uncompressed:
    """An uncompressed file used as is (its owner closes it)."""

    def __init__(self, raw) -> None:
        self._raw = raw

    def __enter__(self):
        return self._raw

    def __exit__(self, *exc_info: object) -> None:
        pass
