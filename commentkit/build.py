"""THE build: one pipeline from a project to the files a user files.

``commentkit build``, ``check``, ``package``, ``import-docx`` and the web app all call the
functions here, so they can never disagree about what the letter holds, what its files are
called or how long the comment-box text is.

* :func:`variant_for` picks the letter variant: the ordinary letter, or a trade association
  member's sign-on letter (the only place the build asks the association package).
* :func:`build_letter` assembles the document model of one version (plain, public,
  confidential) through :mod:`commentkit.letter.assemble` with that variant.
* :func:`comment_box_text` / :func:`comment_box_report` - the regulations.gov comment-box text
  and its length, measured by the code that writes it.
* :func:`output_base`, :func:`letter_name`, :func:`attachment_files` - file names.
* :func:`build` - versions x formats written to a folder (what ``commentkit build`` does).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from commentkit.errors import UserError
from commentkit.letter import assemble
from commentkit.letter.assemble import COMMENT_BOX_LIMIT, Letter, Variant
from commentkit.letter.writers.docx import write_docx
from commentkit.letter.writers.markdown import write_markdown
from commentkit.letter.writers.text import render_text, write_text
from commentkit.models.document import Document
from commentkit.project.folder import Project

FORMATS = ("docx", "md", "txt")
ATTACHMENTS_DIR = "attachments"
"""Files in this project folder are uploaded beside the letter by ``commentkit package``."""

__all__ = ["ATTACHMENTS_DIR", "BuildResult", "COMMENT_BOX_LIMIT", "CommentBox", "FORMATS", "Letter",
           "attachment_files", "build", "build_letter", "comment_box_report", "comment_box_text",
           "comment_box_version", "document_text", "letter_name", "output_base", "reference_docx", "variant_for",
           "versions_for"]


# ---- what to build --------------------------------------------------------------------------

def variant_for(project: Project) -> Variant:
    """The letter variant: a member project (``member:`` block) signs on to its association's
    comment (docs/association.md); every other project gets the ordinary letter."""
    if project.file.member is not None:
        from commentkit.association import signon  # lazy: its models cost ~25 ms; only member projects need them

        letter_t, box_t, member = signon.sign_on(project)
        return Variant(letter_t, box_t, {"member": member})
    return Variant()


def versions_for(project: Project, version: str = "auto") -> list[str]:
    """``auto``: public and confidential versions where the docket takes confidential material
    and answers mark some, else plain; any other value is that one version."""
    return assemble.default_versions(project) if version == "auto" else [version]


def comment_box_version(project: Project) -> str:
    """The version whose comment box is filed (the comment box is public)."""
    return "public" if "public" in versions_for(project) else "plain"


def reference_docx(project: Project, explicit: str | Path | None = None) -> Path | None:
    """The reference Word file (styles, letterhead) the build uses."""
    return assemble.reference_docx_for(project, explicit)


def build_letter(project: Project, *, draft: bool = False, version: str = "plain", date: dt.date | None = None) -> Letter:
    """The letter and comment-box documents of one version."""
    return assemble.build_letter(project, draft=draft, version=version, date=date, variant=variant_for(project))


# ---- the comment box ---------------------------------------------------------------------------

@dataclass
class CommentBox:
    text: str
    limit: int = COMMENT_BOX_LIMIT

    @property
    def characters(self) -> int:
        return len(self.text)

    @property
    def fits(self) -> bool:
        return self.characters <= self.limit

    def report(self) -> dict:
        return {"characters": self.characters, "limit": self.limit, "fits": self.fits}

    def error(self) -> str | None:
        if self.fits:
            return None
        n = self.characters
        return (f"comment-box text is {n:,} characters, {n - self.limit:,} over regulations.gov's "
                f"{self.limit:,}: not written (nothing is truncated); shorten general/executive-summary.md "
                f"or override templates/comment-box.md.j2")


def comment_box_text(letter: Letter) -> str:
    """The plain text of ``letter``'s comment box, exactly as the ``.txt`` file holds it."""
    return render_text(letter.comment_box)


def document_text(document: Document) -> str:
    """Plain text of a document model (what the text writer prints)."""
    return render_text(document)


def comment_box_report(project: Project, *, date: dt.date | None = None) -> CommentBox:
    """The comment box that would be filed for ``project`` (``check`` calls this)."""
    letter = build_letter(project, version=comment_box_version(project), date=date)
    return CommentBox(comment_box_text(letter))


# ---- file names ---------------------------------------------------------------------------------

def output_base(project: Project, version: str, draft: bool) -> str:
    """File name stem: ``TREAS-DO-2023-0009-acme-corp`` (+ ``-public`` / ``-confidential``, ``-DRAFT``)."""
    docket = project.pack.docket
    name = unicodedata.normalize("NFKD", project.commenter_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").lower()
    if len(slug) > 40:  # cut at a word boundary, never mid-word (a single long word is cut at 40)
        cut = slug[:41].rfind("-")
        slug = slug[:cut] if cut > 0 else slug[:40]
    slug = slug or "comment"
    base = f"{docket.docket_id or docket.id}-{slug}"
    if version != "plain":
        base += f"-{version}"
    if draft:
        base += "-DRAFT"
    return base


def letter_name(project: Project, version: str, versions: list[str], ext: str) -> str:
    """File name of the filed letter in ``version`` among ``versions`` (``package``, ``check``)."""
    base = output_base(project, "plain", False)
    if version == "confidential":
        return f"BCI-{base}.{ext}"
    if version == "public" and "confidential" in versions:
        return f"P-{base}.{ext}"
    return f"{base}.{ext}"


def attachment_files(project: Project) -> list[Path]:
    """Files in the project's ``attachments/`` folder (not hidden, not in subfolders), by name."""
    folder = project.root / ATTACHMENTS_DIR
    if not folder.is_dir():
        return []
    return sorted((p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
                  key=lambda p: p.name.lower())


# ---- versions x formats -------------------------------------------------------------------------

@dataclass
class BuildResult:
    versions: list[str]
    files: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    included: list[str] = field(default_factory=list)
    comment_box: CommentBox | None = None

    @property
    def error(self) -> str | None:
        return self.comment_box.error() if self.comment_box is not None else None


def parse_formats(formats: str | None, default: list[str]) -> list[str]:
    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()] if formats else list(default)
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise UserError(f"unknown format {', '.join(bad) or '(none)'}; use a comma-separated list of "
                        f"{', '.join(FORMATS)}")
    return wanted


def build(project: Project, *, formats: list[str], out: Path, reference: str | Path | None = None, draft: bool = False,
          version: str = "auto", date: dt.date | None = None) -> BuildResult:
    """Write the letter in every version and format to ``out``; the comment box only if it fits."""
    ref = reference_docx(project, reference)
    result = BuildResult(versions_for(project, version))
    for v in result.versions:
        letter = build_letter(project, draft=draft, version=v, date=date)
        for w in letter.warnings:
            if w not in result.warnings:
                result.warnings.append(w)
        base = output_base(project, v, draft)
        if "docx" in formats:
            result.files.append(str(write_docx(letter.document, out / f"{base}.docx", ref)))
        if "md" in formats:
            result.files.append(str(write_markdown(letter.document, out / f"{base}.md")))
        if "txt" in formats and v != "confidential":  # the comment box is public
            box = CommentBox(comment_box_text(letter))
            result.comment_box = box
            path = out / f"{base}-comment-box.txt"
            if box.fits:
                result.files.append(str(write_text(letter.comment_box, path, box.text)))
            elif path.exists():
                path.unlink()
        result.included = letter.included
    return result
