"""Region administration pages: thin views over the services and selectors of this package.

Every URL carries the region; `bureau_view` answers 404 for a region the user does not reach and
403 for one they reach without the finance bureau's role, before any object is looked up.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from projects.administration import forms, importer, selectors, services
from projects.models import Department, Membership, Project, Unit
from projects.upload import pending

IMPORT_PURPOSE = "org_import"


def bureau_view(view):
    """Signed in, and the finance bureau of the URL's region (404 outside reach, 403 inside)."""

    @login_required
    @wraps(view)
    def wrapped(request, region_pk, *args, **kwargs):
        region = selectors.bureau_region(request.user, region_pk)
        return view(request, region, *args, **kwargs)

    return wrapped


def _context(request, region, active: str, **extra) -> dict:
    return {
        "region": region,
        "regions": selectors.bureau_regions(request.user),
        "active": active,
        **extra,
    }


def _flag(request) -> bool:
    return request.POST.get("active") == "1"


@login_required
def index(request):
    """Send the bureau to its (first) region's organisation page."""
    region = selectors.bureau_regions(request.user).first()
    if region is None:
        raise PermissionDenied("只有财政局可以管理地区。")
    return redirect("administration:org", region_pk=region.pk)


# ---- departments and units --------------------------------------------------------------------


@bureau_view
def org(request, region):
    """The region's departments and units as a tree, with the form for a new department."""
    form = forms.DepartmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            department = services.department_create(
                region=region, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, f"已新建主管部门：{department.name}。")
            return redirect("administration:org", region_pk=region.pk)
    tree = selectors.department_tree(region)
    return render(
        request, "administration/org.html", _context(request, region, "org", tree=tree, form=form)
    )


def _department(region, pk) -> Department:
    return get_object_or_404(Department, pk=pk, region=region)


def _unit(region, pk) -> Unit:
    return get_object_or_404(
        Unit.objects.select_related("department"), pk=pk, department__region=region
    )


@bureau_view
def department_edit(request, region, pk):
    """Rename a department or correct its code."""
    department = _department(region, pk)
    form = forms.DepartmentForm(
        request.POST or None, initial={"code": department.code, "name": department.name}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.department_update(
                department=department, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, "主管部门已保存。")
            return redirect("administration:org", region_pk=region.pk)
    return render(
        request,
        "administration/form.html",
        _context(request, region, "org", form=form, title=f"修改主管部门 · {department.name}"),
    )


@bureau_view
@require_POST
def department_active(request, region, pk):
    """Deactivate (with its units) or reactivate a department."""
    department = services.department_set_active(
        department=_department(region, pk), active=_flag(request), user=request.user
    )
    state = "启用" if department.is_active else "停用"
    messages.success(request, f"已{state}主管部门：{department.name}。")
    return redirect("administration:org", region_pk=region.pk)


@bureau_view
def unit_create(request, region, pk):
    """A new unit under a department."""
    department = _department(region, pk)
    form = forms.UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(
                department=department, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, f"已新建预算单位：{unit.name}。")
            return redirect("administration:org", region_pk=region.pk)
    return render(
        request,
        "administration/form.html",
        _context(request, region, "org", form=form, title=f"新建预算单位 · {department.name}"),
    )


@bureau_view
def unit_edit(request, region, pk):
    """Rename a unit, correct its code or mark it 本级."""
    unit = _unit(region, pk)
    form = forms.UnitForm(
        request.POST or None,
        initial={"code": unit.code, "name": unit.name, "is_department": unit.is_department},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(unit=unit, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, "预算单位已保存。")
            return redirect("administration:org", region_pk=region.pk)
    return render(
        request,
        "administration/form.html",
        _context(request, region, "org", form=form, title=f"修改预算单位 · {unit.name}"),
    )


@bureau_view
@require_POST
def unit_active(request, region, pk):
    """Deactivate or reactivate a unit."""
    unit = _unit(region, pk)
    try:
        unit = services.unit_set_active(unit=unit, active=_flag(request), user=request.user)
    except ValidationError as exc:
        messages.error(request, "".join(exc.messages))
    else:
        state = "启用" if unit.is_active else "停用"
        messages.success(request, f"已{state}预算单位：{unit.name}。")
    return redirect("administration:org", region_pk=region.pk)


# ---- users ------------------------------------------------------------------------------------


@bureau_view
def account_list(request, region):
    """The region's users, their roles, and which of them a sign-in lock holds."""
    rows = selectors.account_rows(region)
    return render(
        request,
        "administration/accounts.html",
        _context(request, region, "accounts", rows=rows, locked=[r for r in rows if r.locked]),
    )


@bureau_view
def account_create(request, region):
    """A new user with their first role in the region."""
    form = forms.AccountCreateForm(request.POST or None, region=region)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services.account_create(
                region=region,
                username=data["username"],
                full_name=data["full_name"],
                password=data["password"],
                role=data["role"],
                unit=data["unit"],
                department=data["department"],
                user=request.user,
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, f"已新建用户：{account.username}。请将初始密码告知本人。")
            return redirect("administration:account_list", region_pk=region.pk)
    return render(
        request,
        "administration/form.html",
        _context(request, region, "accounts", form=form, title="新建用户"),
    )


@bureau_view
def account_detail(request, region, pk):
    """One user: name, roles (add, remove), password reset, deactivate, unlock."""
    account = selectors.region_account(region, pk)
    name_form = forms.AccountNameForm(
        request.POST or None, initial={"full_name": account.get_full_name()}
    )
    if request.method == "POST" and name_form.is_valid():
        services.account_update(
            account=account,
            region=region,
            full_name=name_form.cleaned_data["full_name"],
            user=request.user,
        )
        messages.success(request, "姓名已保存。")
        return redirect("administration:account_detail", region_pk=region.pk, pk=account.pk)
    return _account_page(request, region, account, name_form=name_form)


def _account_page(request, region, account, **forms_):
    memberships = account.memberships.select_related("unit__department", "department", "region")
    context = _context(
        request,
        region,
        "accounts",
        account=account,
        memberships=memberships,
        locked=bool(selectors.locked_usernames([account.username])),
        name_form=forms_.get("name_form")
        or forms.AccountNameForm(initial={"full_name": account.get_full_name()}),
        membership_form=forms_.get("membership_form") or forms.MembershipForm(region=region),
        password_form=forms_.get("password_form") or forms.PasswordResetForm(),
    )
    return render(request, "administration/account.html", context)


@bureau_view
@require_POST
def account_active(request, region, pk):
    """Deactivate or reactivate a user."""
    account = selectors.region_account(region, pk)
    try:
        services.account_set_active(
            account=account, region=region, active=_flag(request), user=request.user
        )
    except ValidationError as exc:
        messages.error(request, "".join(exc.messages))
    else:
        messages.success(
            request, f"已{'启用' if account.is_active else '停用'}用户：{account.username}。"
        )
    return redirect("administration:account_detail", region_pk=region.pk, pk=account.pk)


@bureau_view
@require_POST
def account_password(request, region, pk):
    """Set a new password for a user."""
    account = selectors.region_account(region, pk)
    form = forms.PasswordResetForm(request.POST)
    if form.is_valid():
        try:
            services.account_password_reset(
                account=account,
                region=region,
                password=form.cleaned_data["password"],
                user=request.user,
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, f"已重置 {account.username} 的密码，请将新密码告知本人。")
            return redirect("administration:account_detail", region_pk=region.pk, pk=account.pk)
    return _account_page(request, region, account, password_form=form)


@bureau_view
@require_POST
def membership_add(request, region, pk):
    """Give a user one more role in the region."""
    account = selectors.region_account(region, pk)
    form = forms.MembershipForm(request.POST, region=region)
    if form.is_valid():
        try:
            services.membership_add(
                account=account, region=region, user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, "已授予角色。")
            return redirect("administration:account_detail", region_pk=region.pk, pk=account.pk)
    return _account_page(request, region, account, membership_form=form)


@bureau_view
@require_POST
def membership_remove(request, region, pk, membership_pk):
    """Take one role away from a user."""
    account = selectors.region_account(region, pk)
    membership = get_object_or_404(Membership, pk=membership_pk, user=account)
    try:
        services.membership_remove(membership=membership, region=region, user=request.user)
    except ValidationError as exc:
        messages.error(request, "".join(exc.messages))
    else:
        messages.success(request, "已取消角色。")
    return redirect("administration:account_detail", region_pk=region.pk, pk=account.pk)


@bureau_view
@require_POST
def account_unlock(request, region, pk):
    """Lift a sign-in lock (django-axes) from a user."""
    account = selectors.region_account(region, pk)
    services.account_unlock(account=account, region=region, user=request.user)
    messages.success(request, f"已解除 {account.username} 的登录锁定。")
    if request.POST.get("back") == "list":
        return redirect("administration:account_list", region_pk=region.pk)
    return redirect("administration:account_detail", region_pk=region.pk, pk=account.pk)


# ---- projects ---------------------------------------------------------------------------------


@bureau_view
def project_list(request, region):
    """The region's projects of a year."""
    years = selectors.project_years(region)
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() else (years[0] if years else None)
    projects = selectors.region_projects(region, year) if year else []
    return render(
        request,
        "administration/projects.html",
        _context(request, region, "projects", projects=projects, years=years, year=year),
    )


@bureau_view
def project_edit(request, region, pk=None):
    """Create a unit's project for a year, or edit one."""
    project = None
    if pk is not None:
        project = get_object_or_404(Project, pk=pk, unit__department__region=region)
    form = forms.ProjectForm(request.POST or None, instance=project, region=region)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PROJECT_FIELDS}
        try:
            saved = services.project_save(
                region=region, project=project, user=request.user, **fields
            )
        except ValidationError as exc:
            forms.apply_errors(form, exc)
        else:
            messages.success(request, f"项目已保存：{saved.year} {saved.name}。")
            return redirect(f"{_url('project_list', region)}?year={saved.year}")
    title = f"修改项目 · {project.name}" if project else "新建项目"
    return render(
        request,
        "administration/form.html",
        _context(request, region, "projects", form=form, title=title),
    )


def _url(name, region) -> str:
    from django.urls import reverse

    return reverse(f"administration:{name}", kwargs={"region_pk": region.pk})


# ---- the organisation workbook ----------------------------------------------------------------


@bureau_view
def import_template(request, region):
    """The empty organisation workbook with its column notes."""
    response = HttpResponse(
        importer.template_workbook(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = "attachment; filename*=UTF-8''org-template.xlsx"
    return response


@bureau_view
def import_preview(request, region):
    """Upload the workbook and see every row, with each wrong cell named; nothing is saved."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    rows, errors, token = [], [], ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["workbook"].read()
        rows, errors = importer.preview(region=region, data=data)
        if not errors:
            token = pending.keep(
                request,
                name=form.cleaned_data["workbook"].name,
                data=data,
                purpose=IMPORT_PURPOSE,
                kind=str(region.pk),
            )
    return render(
        request,
        "administration/import.html",
        _context(
            request,
            region,
            "import",
            form=form,
            rows=rows,
            errors=errors,
            token=token,
            columns=importer.COLUMNS,
        ),
    )


@bureau_view
@require_POST
def import_confirm(request, region):
    """Apply the previewed workbook, all rows in one transaction or none."""
    token = request.POST.get("token", "")
    kept = pending.load(request, token)
    if (
        kept is None
        or kept[0].get("purpose") != IMPORT_PURPOSE
        or kept[0].get("kind") != str(region.pk)
    ):
        raise Http404("未找到待导入的文件，请重新上传。")
    rows, errors = importer.read(kept[1])
    try:
        result = (
            services.org_import(region=region, rows=rows, user=request.user) if not errors else None
        )
    except ValidationError as exc:
        errors = exc.messages
    if errors or result is None:
        for message in errors:
            messages.error(request, str(message))
        return redirect("administration:import_preview", region_pk=region.pk)
    pending.discard(request, token)
    messages.success(
        request,
        f"导入完成：新建主管部门 {result.departments} 个、预算单位 {result.units} 个、"
        f"用户 {result.accounts} 个，授予角色 {result.memberships} 项；已有代码的名称已更新。",
    )
    return redirect("administration:org", region_pk=region.pk)


# ---- history ----------------------------------------------------------------------------------


@bureau_view
def history(request, region):
    """Who changed what in the region's organisation, users, roles and projects, and when."""
    return render(
        request,
        "administration/history.html",
        _context(request, region, "history", changes=selectors.region_history(region)),
    )
