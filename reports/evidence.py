"""佐证材料 in the region's export: every file of the exported filings, copied from storage into
the department's folder, each listed in 清单.csv and in 佐证材料清单.csv with its SHA-256 (as
recorded at upload), so whoever receives the zip can check each file is the one attached.
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePosixPath

from projects.models import EvidenceFile
from reports import renderers

MANIFEST_NAME = "佐证材料清单.csv"
MANIFEST_HEADER = (
    "文件",
    "主管部门",
    "预算单位",
    "项目名称",
    "所附",
    "原文件名",
    "大小（字节）",
    "SHA-256",
    "上传人",
    "上传时间",
)


def add_evidence(out, evaluations, folder: str, department_name: str) -> None:
    """Copy the evaluations' files into `<folder>/佐证材料/<project>/` and list them."""
    files = (
        EvidenceFile.objects.filter(evaluation__in=evaluations)
        .select_related("evaluation__project__unit", "indicator", "fund_line", "uploaded_by")
        .order_by("evaluation__project__code", "evaluation_id", "uploaded_at", "pk")
    )
    if not hasattr(out, "evidence_lines"):
        out.evidence_lines = []
    lines = out.evidence_lines
    for row in files.iterator(chunk_size=200):
        project = row.evaluation.project
        path = out.add(
            f"{folder}/佐证材料/{renderers.safe_name(project.name)}",
            _file_name(row.original_name),
            row.file.open("rb"),
            stamp=None,
            kind="佐证材料",
            department=department_name,
            unit=project.unit.name,
            project=project.name,
            note=f"{row.target_label}；SHA-256：{row.sha256}",
        )
        uploader = row.uploaded_by
        lines.append(
            [
                path,
                department_name,
                project.unit.name,
                project.name,
                row.target_label,
                row.original_name,
                str(row.size),
                row.sha256,
                (uploader.get_full_name() or uploader.username) if uploader else "",
                row.uploaded_at.isoformat(timespec="seconds"),
            ]
        )


def write_manifest(out) -> None:
    """佐证材料清单.csv (UTF-8 with a BOM, for Excel), when the export holds any file."""
    lines = getattr(out, "evidence_lines", None)
    if not lines:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_HEADER)
    writer.writerows(lines)
    out.archive.writestr(MANIFEST_NAME, ("\ufeff" + buffer.getvalue()).encode("utf-8"))


def _file_name(name: str) -> str:
    """The filer's name made safe for a zip member, its extension kept."""
    pure = PurePosixPath(name)
    return f"{renderers.safe_name(pure.stem)}{pure.suffix.lower()[:10]}"
