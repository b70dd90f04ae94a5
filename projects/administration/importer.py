"""The organisation workbook: one sheet listing departments, units and the users of each.

One row per user (or per unit or department without users). Columns, in this order:

    部门代码 | 部门名称 | 单位代码 | 单位名称 | 是否本级 | 用户名 | 姓名 | 角色 | 初始密码

A row with 单位代码 creates or renames that unit under its department; a row with 用户名 creates
the user (with the 初始密码, checked by the site's password rules) or, for an existing user of
the region, adds the role. 角色 is one of 单位填报人 (needs a unit), 主管部门审核人 (needs a
department), 财政局审核人 (the region), 监督查阅 (the department if given, else the region).
Reading never writes; `check` reports every wrong row at once, and the service applies the rows
only when there is none.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from projects.models import Department, Membership, Region

Role = Membership.Role

COLUMNS = (
    ("department_code", "部门代码", "必填（财政局审核人、地区监督查阅人可留空）；同一地区内唯一"),
    ("department_name", "部门名称", "与部门代码同时填写；已有代码的部门将改用此名称"),
    ("unit_code", "单位代码", "可留空（本行只建部门或部门级用户）；同一部门内唯一"),
    ("unit_name", "单位名称", "与单位代码同时填写"),
    ("is_department", "是否本级", "填“是”表示该单位为部门本级，每个部门至多一个"),
    ("username", "用户名", "可留空（本行只建部门或单位）；字母、数字和 @.+-_"),
    ("full_name", "姓名", "用户的姓名"),
    ("role", "角色", "单位填报人、主管部门审核人、财政局审核人、监督查阅"),
    ("password", "初始密码", "新用户必填，须符合密码规则；已有用户留空即可（不会修改其密码）"),
)
HEADERS = tuple(label for _, label, _ in COLUMNS)
LABEL = {key: label for key, label, _ in COLUMNS}
ROLE_NAMES = {
    "单位填报人": Role.FILER,
    "填报人": Role.FILER,
    "主管部门审核人": Role.DEPARTMENT_REVIEWER,
    "财政局审核人": Role.FINANCE_REVIEWER,
    "监督查阅": Role.OBSERVER,
}
YES = {"是", "Y", "y", "1", "TRUE", "true", "True"}
NO = {"", "否", "N", "n", "0", "FALSE", "false", "False"}


@dataclass(frozen=True)
class Row:
    """One checked line of the sheet, in the order of the columns above."""

    number: int
    department_code: str
    department_name: str
    unit_code: str
    unit_name: str
    is_department: bool
    username: str
    full_name: str
    role: str
    password: str
    role_text: str = ""

    @property
    def role_label(self) -> str:
        """The role in words, for the preview."""
        return Role(self.role).label if self.role else ""


@dataclass(frozen=True)
class RowError:
    """A wrong cell: the sheet's row number, the column heading and what is wrong."""

    number: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"第 {self.number} 行" + (f"「{self.column}」" if self.column else "")
        return f"{where}：{self.message}"


def template_workbook() -> bytes:
    """The empty workbook to fill in, with the column notes and an example sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "组织架构与用户"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, _ in enumerate(HEADERS):
        sheet.column_dimensions[chr(ord("A") + index)].width = 16
    notes = book.create_sheet("填写说明")
    notes.append(("列名", "说明"))
    for _, label, note in COLUMNS:
        notes.append((label, note))
    notes.append(())
    notes.append(("示例", "以下各行仅为示例，请在“组织架构与用户”表中填写本地区的实际数据。"))
    notes.append(HEADERS)
    for example in (
        ("001", "示例教育局", "001000", "示例教育局（本级）", "是", "", "", "", ""),
        ("001", "示例教育局", "001001", "示例第一中学", "否", "yz_filer", "张三", "单位填报人", ""),
        ("001", "示例教育局", "", "", "", "jyj_reviewer", "李四", "主管部门审核人", ""),
    ):
        notes.append(example)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def read(data: bytes) -> tuple[list[Row], list[RowError]]:
    """Read the first sheet into rows; cells that cannot be read at all are errors here."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        return [], [RowError(0, "", "无法读取该文件，请上传由模板填写的 .xlsx 工作簿。")]
    sheet = book.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(lines, ())]
    if tuple(header[: len(HEADERS)]) != HEADERS:
        return [], [RowError(1, "", f"表头应为：{'、'.join(HEADERS)}。请使用下载的模板。")]
    rows: list[Row] = []
    errors: list[RowError] = []
    for number, values in enumerate(lines, start=2):
        cells = [_text(v) for v in (values or ())][: len(HEADERS)]
        cells += [""] * (len(HEADERS) - len(cells))
        if not any(cells):
            continue
        data_ = dict(zip((key for key, _, _ in COLUMNS), cells, strict=True))
        flag = data_["is_department"]
        if flag not in YES | NO:
            errors.append(RowError(number, LABEL["is_department"], "请填写“是”或“否”。"))
        role = ""
        if data_["role"]:
            role = ROLE_NAMES.get(data_["role"], "")
            if not role:
                errors.append(
                    RowError(
                        number,
                        LABEL["role"],
                        f"无法识别的角色“{data_['role']}”，应为：{'、'.join(ROLE_NAMES)}。",
                    )
                )
        data_["is_department"] = flag in YES
        data_["role_text"], data_["role"] = data_["role"], role
        rows.append(Row(number=number, **data_))
    book.close()
    if not rows and not errors:
        errors.append(RowError(2, "", "工作簿中没有数据行。"))
    return rows, errors


def _text(value) -> str:
    """A cell as trimmed text; whole numbers typed as numbers (001 read as 1.0) read as digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def check(*, region: Region, rows: list[Row]) -> list[RowError]:
    """Every rule a row must meet against the region as it stands, each broken rule reported."""
    from django.contrib.auth.password_validation import validate_password

    from projects.administration.services import account_region_ids

    User = get_user_model()
    errors: list[RowError] = []
    department_names: dict[str, str] = {}
    unit_rows: dict[tuple[str, str], Row] = {}
    own_unit: dict[str, str] = {}
    existing_departments = {d.code: d for d in Department.objects.filter(region=region)}
    new_users: dict[str, Row] = {}

    def error(row: Row, key: str, message: str) -> None:
        errors.append(RowError(row.number, LABEL.get(key, ""), message))

    for row in rows:
        needs_department = bool(row.unit_code) or row.role in (Role.FILER, Role.DEPARTMENT_REVIEWER)
        if row.department_code or needs_department:
            if not row.department_code:
                error(row, "department_code", "请填写部门代码。")
            if not row.department_name:
                error(row, "department_name", "请填写部门名称。")
            name = department_names.setdefault(row.department_code, row.department_name)
            if row.department_code and name != row.department_name:
                error(row, "department_name", f"同一部门代码在前面的行中名称为“{name}”。")
            clash = next(
                (
                    d
                    for d in existing_departments.values()
                    if d.name == row.department_name and d.code != row.department_code
                ),
                None,
            )
            if clash:
                error(row, "department_name", f"本地区已有同名部门（代码 {clash.code}）。")
        existing = existing_departments.get(row.department_code)
        if existing is not None and not existing.is_active:
            error(row, "department_code", "该部门已停用，请先在“部门与单位”中启用。")
        elif existing is not None and row.unit_code:
            unit = existing.units.filter(code=row.unit_code).first()
            if unit is not None and not unit.is_active:
                error(row, "unit_code", "该单位已停用，请先在“部门与单位”中启用。")
        if row.unit_code or row.unit_name:
            if not row.unit_code:
                error(row, "unit_code", "请填写单位代码。")
            if not row.unit_name:
                error(row, "unit_name", "请填写单位名称。")
            key = (row.department_code, row.unit_code)
            earlier = unit_rows.setdefault(key, row)
            if earlier is not row and (
                earlier.unit_name != row.unit_name or earlier.is_department != row.is_department
            ):
                error(row, "unit_name", f"同一单位代码在第 {earlier.number} 行中填写不同。")
            if row.is_department:
                other = own_unit.setdefault(row.department_code, row.unit_code)
                if other != row.unit_code:
                    error(row, "is_department", f"部门已有本级单位（代码 {other}）。")
                else:
                    department = existing_departments.get(row.department_code)
                    if (
                        department is not None
                        and department.units.filter(is_department=True)
                        .exclude(code=row.unit_code)
                        .exists()
                    ):
                        error(row, "is_department", "该部门在系统中已有本级单位。")
        elif row.is_department:
            error(row, "is_department", "只有填写了单位的行才能标为本级。")
        if row.username:
            if not row.role:
                if not row.role_text:  # an unknown role was reported when the sheet was read
                    error(row, "role", "请填写角色。")
            elif row.role == Role.FILER and not row.unit_code:
                error(row, "unit_code", "单位填报人须填写单位。")
            account = User.objects.filter(username__iexact=row.username).first()
            if account is not None:
                if account.is_superuser or not account_region_ids(account) <= {region.pk}:
                    error(row, "username", "该用户名已被其他地区或系统管理员使用。")
            elif row.username.lower() in new_users:
                earlier = new_users[row.username.lower()]
                if row.password and row.password != earlier.password:
                    error(row, "password", f"同一新用户在第 {earlier.number} 行的初始密码不同。")
            else:
                new_users[row.username.lower()] = row
                candidate = User(username=row.username, first_name=row.full_name)
                try:
                    candidate.clean_fields(exclude=["password", "first_name", "last_name"])
                except ValidationError as exc:
                    for message in exc.message_dict.get("username", []):
                        error(row, "username", message)
                if not row.password:
                    error(row, "password", "新用户须填写初始密码。")
                else:
                    try:
                        validate_password(row.password, user=candidate)
                    except ValidationError as exc:
                        error(row, "password", "".join(exc.messages))
        elif row.role or row.password or row.full_name:
            error(row, "username", "填写了角色、姓名或密码，但没有用户名。")
    return errors


def preview(*, region: Region, data: bytes) -> tuple[list[Row], list[RowError]]:
    """Read and check a workbook without writing anything."""
    rows, errors = read(data)
    if rows:
        errors = sorted([*errors, *check(region=region, rows=rows)], key=lambda e: e.number)
    return rows, errors
