"""Forms of the common indicator library: its filters, one indicator, and the workbook upload."""

from __future__ import annotations

from django import forms

from projects.models import Direction
from projects.targets.library_selectors import LEVEL1_CHOICES

MAX_UPLOAD = 5 * 1024 * 1024
ACTIVE_CHOICES = [("", "全部"), ("active", "启用"), ("inactive", "已停用")]


class LibraryFilterForm(forms.Form):
    """适用领域, 一级/二级指标, text, and whether disabled indicators are shown."""

    function = forms.ChoiceField(label="适用领域", required=False)
    level1 = forms.ChoiceField(
        label="一级指标", required=False, choices=[("", "全部"), *LEVEL1_CHOICES]
    )
    level2 = forms.CharField(label="二级指标", required=False, max_length=50)
    text = forms.CharField(label="关键词", required=False, max_length=100)
    active = forms.ChoiceField(label="状态", required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, functions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["function"].choices = [("", "全部"), *((f, f) for f in functions)]

    def filters(self) -> dict[str, str]:
        """The valid filters as keyword arguments of `library_queryset` (none when invalid)."""
        if not self.is_valid():
            return {}
        return {key: value or "" for key, value in self.cleaned_data.items()}


class LibraryIndicatorForm(forms.Form):
    """One standard indicator as the finance bureau enters it."""

    function = forms.CharField(
        label="适用领域（功能分类）",
        max_length=100,
        error_messages={"required": "请填写适用领域。"},
        help_text="如“教育”“农林水”“通用”。",
    )
    level1 = forms.ChoiceField(
        label="一级指标",
        choices=[("", "请选择"), *LEVEL1_CHOICES],
        error_messages={"required": "请选择一级指标。", "invalid_choice": "请选择一级指标。"},
    )
    level2 = forms.CharField(
        label="二级指标", max_length=50, error_messages={"required": "请填写二级指标。"}
    )
    name = forms.CharField(
        label="三级指标", max_length=300, error_messages={"required": "请填写三级指标。"}
    )
    unit_of_measure = forms.CharField(label="度量单位", max_length=30, required=False)
    direction = forms.ChoiceField(
        label="指标方向",
        choices=Direction.choices,
        error_messages={"invalid_choice": "请选择指标方向。"},
    )
    suggested_target = forms.CharField(
        label="建议指标值写法", max_length=300, required=False, help_text="如“≥95%”。"
    )
    policy_source = forms.CharField(
        label="政策依据", max_length=300, required=False, help_text="如“财预〔2020〕10号 附件”。"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if getattr(field, "max_length", None):
                field.error_messages["max_length"] = f"不能超过 {field.max_length} 个字。"


class LibraryImportForm(forms.Form):
    """The filled-in library workbook."""

    file = forms.FileField(
        label="共性指标工作簿（.xlsx）",
        error_messages={"required": "请选择要导入的工作簿。", "empty": "上传的文件是空的。"},
    )

    def clean_file(self):
        """Refuse what is clearly not a workbook before reading it."""
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的工作簿。")
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError("文件不能超过 5 MB。")
        return upload
