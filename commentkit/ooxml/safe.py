"""Word files from outside are untrusted: check a .docx package before any XML in it is parsed.

Every reader of a Word file (the reference letterhead of ``build``, ``import-docx``, returned
member forms, a template's embedded letterhead) calls :func:`check` first, through
``commentkit.letter.writers.docx.check_docx_safe``. It refuses, with one line naming the file:

* files that are not zip packages (an old binary .doc is named as such), damaged zip
  directories, password-protected (encrypted) entries;
* zip bombs: too many parts, a part or the whole package expanding beyond a limit, or a
  part compressed far beyond what Word produces; the sizes are the ones the zip directory
  declares, which Python's zipfile enforces when reading (a part that inflates beyond its
  declared size is a read error, never a larger result);
* part names that are absolute or climb out of the package (``../``), or repeat;
* XML parts that declare a DOCTYPE or entities (external entity references / XXE, "billion
  laughs"): Word never writes them, so they are refused before any XML parser sees them.

:func:`xml_parser` is the lxml configuration for parsing parts afterwards: no entity
resolution, no DTD loading, no network, lxml's default depth and text-size limits.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from commentkit.errors import UserError, WordFileError
from commentkit.files import paths

MAX_DOCX_BYTES = 50 * 1024 * 1024
MAX_PARTS = 2000
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_TOTAL_FACTOR = 4
"""The parts together may expand to at most this many times the limit on the file's own size."""
MAX_RATIO = 200
"""Compression ratio beyond which a large part is taken for a zip bomb (Word's XML compresses ~10:1)."""
RATIO_FLOOR = 1024 * 1024
"""Parts smaller than this are not judged by their ratio (tiny parts of repeated XML compress well)."""

_DECL = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_XML_NAME = re.compile(r"\.(xml|rels|vml)$", re.IGNORECASE)


def check(path: Path | str, what: str = "Word file", max_bytes: int = MAX_DOCX_BYTES) -> None:
    """Refuse ``path`` unless it is a plausible, bounded .docx package (see module docstring)."""
    path = Path(path)
    paths.check_regular(path, what)  # never blocks on a FIFO; no link out of a managed folder
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            magic = fh.read(8)
    except FileNotFoundError:
        raise WordFileError(f"{what} not found", path) from None
    except IsADirectoryError:
        raise WordFileError(f"expected a {what}, found a folder", path) from None
    except OSError as exc:
        raise WordFileError(f"cannot read {what}: {exc.strerror or exc}", path) from None
    if size > max_bytes:
        raise WordFileError(f"{what} is too large ({size:,} bytes; limit {max_bytes:,})", path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise WordFileError(f"{what} is an old binary Word (.doc) file or an encrypted document; save it as a "
                        f"Word document (.docx) without a password and try again", path)
    if not magic.startswith(b"PK"):
        raise WordFileError("not a Word .docx file (not a zip package)", path)
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            _check_directory(infos, path, what, max_bytes)
            for info in infos:
                if _XML_NAME.search(info.filename):
                    _scan_xml(z, info, path, what)
    except UserError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError,
            NotImplementedError, zlib.error, KeyError, IndexError, TypeError) as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WordFileError(f"not a Word .docx file, or a damaged one (zip: {detail})", path) from None


def _check_directory(infos: list[zipfile.ZipInfo], path: Path, what: str, max_bytes: int) -> None:
    if len(infos) > MAX_PARTS:
        raise WordFileError(f"{what} has too many parts ({len(infos):,}; limit {MAX_PARTS:,})", path)
    names: set[str] = set()
    total = 0
    for i in infos:
        name = i.filename
        if name in names:
            raise WordFileError(f"{what} holds the part {name!r} twice: refused (not made by Word)", path)
        names.add(name)
        if name.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", name) or re.match(r"^[A-Za-z]:", name):
            raise WordFileError(f"{what} has a part named {name!r} outside the package: refused", path)
        if i.flag_bits & 0x1:
            raise WordFileError(f"{what} is password-protected (encrypted part {name}); save it without a password",
                            path)
        if i.file_size > MAX_PART_BYTES:
            raise WordFileError(f"{what} part {name} expands to {i.file_size:,} bytes: refused (zip bomb?)", path)
        if i.file_size > RATIO_FLOOR and i.file_size > MAX_RATIO * max(1, i.compress_size):
            raise WordFileError(f"{what} part {name} is compressed {i.file_size // max(1, i.compress_size):,}:1: "
                            f"refused (zip bomb?)", path)
        total += i.file_size
    if total > MAX_TOTAL_FACTOR * max_bytes:
        raise WordFileError(f"{what} expands to {total:,} bytes: refused (zip bomb?)", path)
    if "[Content_Types].xml" not in names or "word/document.xml" not in names:
        raise WordFileError("not a Word .docx file (no word/document.xml)", path)


def _scan_xml(z: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, what: str) -> None:
    """Refuse an XML part that declares a DOCTYPE or entities (read in bounded chunks)."""
    tail = b""
    with z.open(info) as fh:
        while True:
            chunk = fh.read(1 << 20)
            if not chunk:
                break
            window = tail + chunk
            if _DECL.search(window):
                raise WordFileError(f"{what} part {info.filename} declares a DTD or entities (<!DOCTYPE / <!ENTITY): "
                                f"refused (entity references are a known attack; Word never writes them)", path)
            tail = window[-16:]


def xml_parser(*, remove_comments: bool = False, remove_pis: bool = False, huge_tree: bool = False):
    """The one lxml parser configuration for XML commentkit did not write itself (Word parts,
    Federal Register documents): resolves no entities, loads no DTD, no network; lxml's default
    depth and text-size limits unless ``huge_tree``."""
    from lxml import etree  # lazy: lxml is only needed when a Word or XML file is read

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=huge_tree, remove_comments=remove_comments, remove_pis=remove_pis)


def parse_part(data: bytes, path: Path, part: str):
    """Parse one XML part with :func:`xml_parser`; malformed XML is a one-line UserError."""
    from lxml import etree  # lazy: only Word/XML readers need it

    if _DECL.search(data):
        raise WordFileError(f"part {part} declares a DTD or entities (<!DOCTYPE / <!ENTITY): refused", path)
    try:
        return etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        raise WordFileError(f"damaged Word file: {part} is not well-formed XML ({exc})", path) from None


def open_document(path: Path | str, what: str = "Word file", max_bytes: int = MAX_DOCX_BYTES):
    """python-docx ``Document`` of a checked package; anything python-docx cannot read is a UserError."""
    import docx  # lazy: python-docx is slow to import; only Word commands need it

    path = Path(path)
    check(path, what, max_bytes)
    try:
        return docx.Document(str(path))
    except Exception as exc:  # python-docx raises many kinds on damaged packages
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise WordFileError(f"cannot open {what}: {type(exc).__name__}: {detail}", path) from None
