"""Forms of the region administration; choices are always narrowed to the bureau's region."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from projects.administration import selectors
from projects.administration.services import PROJECT_FIELDS
from projects.models import Membership, Project

Role = Membership.Role


def apply_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or the form, when it names none)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


class DepartmentForm(forms.Form):
    """Create or rename a 主管部门."""

    code = forms.CharField(label="部门代码", max_length=50)
    name = forms.CharField(label="部门名称", max_length=200)


class UnitForm(forms.Form):
    """Create or rename a 预算单位 under a department."""

    code = forms.CharField(label="单位代码", max_length=50)
    name = forms.CharField(label="单位名称", max_length=200)
    is_department = forms.BooleanField(
        label="部门本级", required=False, help_text="本单位即主管部门本级时勾选，跳过主管部门审核。"
    )


class ScopeFields(forms.Form):
    """A role and where it applies: a unit for a filer, a department or the region otherwise."""

    role = forms.ChoiceField(label="角色", choices=Role.choices)
    unit = forms.ModelChoiceField(label="单位", queryset=None, required=False)
    department = forms.ModelChoiceField(label="主管部门", queryset=None, required=False)

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region
        self.fields["unit"].queryset = selectors.region_units(region)
        self.fields["unit"].label_from_instance = lambda u: f"{u.department.name} · {u.name}"
        self.fields["unit"].help_text = "单位填报人须选择单位。"
        self.fields["department"].queryset = selectors.region_departments(region)
        self.fields[
            "department"
        ].help_text = (
            "主管部门审核人须选择主管部门；监督查阅人选择部门则只查阅该部门，不选则查阅全地区。"
        )

    def clean(self):
        data = super().clean()
        role = data.get("role")
        if role == Role.FILER and not data.get("unit"):
            self.add_error("unit", "单位填报人须选择单位。")
        if role == Role.DEPARTMENT_REVIEWER and not data.get("department"):
            self.add_error("department", "主管部门审核人须选择主管部门。")
        if role != Role.FILER:
            data["unit"] = None
        if role == Role.FINANCE_REVIEWER or role == Role.FILER:
            data["department"] = None
        return data


class PasswordField(forms.CharField):
    """A password box that shows nothing back after a failed submit."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.PasswordInput(attrs={"autocomplete": "new-password"}))
        kwargs.setdefault(
            "help_text", "至少 10 位，不能全为数字，不能与用户名相似，不能是常见密码。"
        )
        super().__init__(**kwargs)


class AccountCreateForm(ScopeFields):
    """A new user of the region, with their first role."""

    username = forms.CharField(label="用户名", max_length=150)
    full_name = forms.CharField(label="姓名", max_length=150)
    password = PasswordField(label="初始密码")

    field_order = ["username", "full_name", "password", "role", "unit", "department"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        User = get_user_model()
        User.username_validator(username)
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError("该用户名已存在。")
        return username


class MembershipForm(ScopeFields):
    """One more role for a user of the region."""


class PasswordResetForm(forms.Form):
    """The bureau sets a new password and tells the user."""

    password = PasswordField(label="新密码")


class AccountNameForm(forms.Form):
    """Correct the name shown for a user."""

    full_name = forms.CharField(label="姓名", max_length=150)


class ProjectForm(forms.ModelForm):
    """A unit's project for a year, with the fields the bureau may set (services.PROJECT_FIELDS)."""

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        widgets = {"goal_expected": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = selectors.region_units(region)
        self.fields["unit"].label_from_instance = lambda u: f"{u.department.name} · {u.name}"

    def validate_unique(self):
        """The service validates the whole row inside its transaction."""


class ImportForm(forms.Form):
    """The organisation workbook to preview."""

    workbook = forms.FileField(label="组织架构与用户工作簿（.xlsx）")

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError("请上传 .xlsx 格式的工作簿（可先下载模板）。")
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError("文件超过 5 MB。")
        return upload
