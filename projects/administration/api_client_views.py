"""The finance bureau's pages for API clients: list, create (token shown once), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from projects.administration.forms import apply_errors
from projects.administration.views import _context, bureau_view
from projects.interchange.api.clients import api_client_create, api_client_revoke
from projects.models import ApiClient, Department


class ApiClientForm(forms.Form):
    """A new integration client; the department only for a 主管部门 client."""

    name = forms.CharField(label="客户端名称", max_length=100, help_text="如：预算管理一体化系统")
    role = forms.ChoiceField(label="角色", choices=ApiClient.Role.choices)
    department = forms.ModelChoiceField(
        label="主管部门", queryset=Department.objects.none(), required=False,
        help_text="仅“主管部门”角色需要选择。",
    )  # fmt: skip

    def __init__(self, *args, region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(region=region)


@bureau_view
def api_client_list(request, region):
    """The region's clients, and the form for a new one (its token is shown once, here)."""
    form = ApiClientForm(request.POST or None, region=region)
    token = None
    if request.method == "POST" and form.is_valid():
        try:
            client, token = api_client_create(region=region, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已创建接口客户端：{client.name}。请立即复制令牌。")
            form = ApiClientForm(region=region)
    clients = (
        ApiClient.objects.filter(region=region)
        .select_related("department", "created_by", "revoked_by")
        .order_by("revoked_at", "-created_at")
    )
    response = render(
        request,
        "administration/api_clients.html",
        _context(request, region, "api_clients", clients=clients, form=form, token=token),
    )
    if token:
        response["Cache-Control"] = "no-store"  # the token must not stay in any cache
    return response


@require_POST
@bureau_view
def api_client_revoke_view(request, region, pk):
    """Revoke a client's token at once."""
    client = get_object_or_404(ApiClient, pk=pk, region=region)
    api_client_revoke(client=client, region=region, user=request.user)
    messages.success(request, f"已吊销接口客户端：{client.name}。")
    return redirect("administration:api_client_list", region_pk=region.pk)
