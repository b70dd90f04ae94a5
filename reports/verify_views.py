"""The public verification page (no login): a printed code, or an uploaded file, against the
sign-off records. Guessing is throttled per client address in the shared cache."""

from __future__ import annotations

import hashlib

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from projects.access import scope_for
from reports.selectors import verification
from reports.stored.signoff import normalize_code


class CodeForm(forms.Form):
    """The code as printed in the document's footer."""

    code = forms.CharField(
        label="验证码",
        max_length=40,
        error_messages={"required": "请输入验证码。", "max_length": "验证码过长。"},
        widget=forms.TextInput(attrs={"placeholder": "如 7Q4M-K2ZD-9XHC", "autocomplete": "off"}),
    )

    def clean_code(self) -> str:
        """Accept any case, spaces and the letters O / I / L for 0 / 1; refuse anything else."""
        code = normalize_code(self.cleaned_data["code"])
        if code is None:
            raise forms.ValidationError(
                "验证码格式不正确：应为12位字母和数字（如 7Q4M-K2ZD-9XHC），请按文件页脚核对。"
            )
        return code


class UploadForm(forms.Form):
    """A copy of a document (PDF or workbook) whose bytes are compared with the records."""

    document = forms.FileField(
        label="文件（PDF 或 Excel）",
        error_messages={
            "required": "请选择要核验的文件。",
            "empty": "上传的文件为空。",
            "invalid": "未收到文件，请重新选择。",
        },
    )

    def clean_document(self):
        """Bounded in size: hashing is cheap, but a huge upload is not a document of ours."""
        upload = self.cleaned_data["document"]
        limit = settings.SIGNOFF_UPLOAD_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"文件过大：本系统生成的文件不超过 {limit // (1024 * 1024)} MB。"
            )
        return upload


def _client(request) -> str:
    """The reader's address; behind the proxy, the one it appended to X-Forwarded-For."""
    if settings.BEHIND_PROXY:
        forwarded = request.headers.get("X-Forwarded-For", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def _allowed(request) -> bool:
    """Count one lookup for this address; False once it has used its share of the window."""
    key = f"signoff-verify:{_client(request)}"
    window = settings.SIGNOFF_VERIFY_WINDOW
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= settings.SIGNOFF_VERIFY_LIMIT


def _may_upload(user) -> bool:
    """Observers (人大, 审计) may send nothing but GETs (selfeval.observers): they check by code."""
    return not (user.is_authenticated and scope_for(user).is_observer_only)


def _digest(upload) -> str:
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    return sha.hexdigest()


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """Check a verification code (GET ?code=) or an uploaded file (POST) against the sign-offs."""
    code_form = CodeForm(request.GET if "code" in request.GET else None)
    upload_form = UploadForm()
    context = {"searched": None, "verdict": None, "matched_file": False}
    if request.method == "POST":
        upload_form = UploadForm(request.POST, request.FILES)
        context["searched"] = "file"
    elif code_form.is_bound:
        context["searched"] = "code"
    status = 200
    if context["searched"] and not _allowed(request):
        context["searched"] = None
        context["throttled"] = True
        status = 429
    elif context["searched"] == "code" and code_form.is_valid():
        context["verdict"] = verification.by_code(code_form.cleaned_data["code"])
    elif context["searched"] == "file" and upload_form.is_valid():
        context["verdict"] = verification.by_digest(_digest(upload_form.cleaned_data["document"]))
        context["matched_file"] = context["verdict"] is not None
    context.update(
        {
            "code_form": code_form,
            "upload_form": upload_form,
            "limit_mb": settings.SIGNOFF_UPLOAD_MAX_BYTES // (1024 * 1024),
            "may_upload": _may_upload(request.user),
        }
    )
    response = render(request, "reports/public/verify.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(settings.SIGNOFF_VERIFY_WINDOW)
    return response
