"""Error pages speak Chinese, sit inside the site's layout and offer a way back.

Tests run with DEBUG off (the test settings' default), so Django renders the templates in
templates/ exactly as in production.
"""

import pytest
from django.conf import settings as django_settings
from django.http import Http404
from django.template import loader
from django.urls import include, path

from selfeval import urls as site_urls


def _boom(request):
    raise RuntimeError("boom: a developer's message the user must not see")


def _not_found_english(request):
    raise Http404("No Evaluation matches the given query.")


# The site's own URLs plus two that fail on purpose, used through settings.ROOT_URLCONF.
urlpatterns = [
    path("test-boom/", _boom),
    path("test-english-404/", _not_found_english),
    path("", include(site_urls.urlpatterns)),
]


@pytest.fixture
def failing_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_debug_is_off_in_tests():
    assert django_settings.DEBUG is False


def test_filer_opening_review_gets_chinese_403_in_site_layout(client, personas):
    client.force_login(personas.alice)
    response = client.get("/review/", HTTP_REFERER="http://testserver/filing/")
    assert response.status_code == 403
    html = response.content.decode()
    assert "您没有权限访问此页面" in html
    assert "只有审核人员可以访问此页面。" in html  # the view's own message is kept
    assert 'class="navbar' in html and "退出" in html  # the site's navbar, signed in
    assert ">填报</a>" in html  # alice's own work is one click away
    assert "返回首页" in html
    assert 'href="http://testserver/filing/"' in html and "返回上一页" in html


def test_back_link_never_points_off_site(client, personas):
    client.force_login(personas.alice)
    response = client.get("/review/", HTTP_REFERER="https://evil.example/phish")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()


def test_unknown_url_gets_chinese_404_in_site_layout(client, personas):
    client.force_login(personas.alice)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在或您无权查看" in html
    assert "返回首页" in html and 'class="navbar' in html
    # Django's resolver message is for developers.
    assert "Resolver404" not in html and "no-such-page" not in html


def test_anonymous_visitor_gets_404_with_login_link(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在或您无权查看" in html and "登录" in html


def test_english_404_message_is_not_shown(client, db, failing_urls):
    response = client.get("/test-english-404/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "页面不存在或您无权查看" in html
    assert "No Evaluation matches" not in html


def test_view_that_raises_gets_chinese_500(client, personas, failing_urls):
    client.force_login(personas.alice)
    client.raise_request_exception = False
    response = client.get("/test-boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统出错了" in html and "返回首页" in html and 'class="navbar' in html
    assert "boom" not in html and "RuntimeError" not in html


def test_500_page_renders_without_request_or_database(django_assert_num_queries, db):
    """Django renders 500.html with an empty context; it must not need the user or the DB."""
    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "系统出错了" in html and 'href="/"' in html


def test_favicon_ico_is_served(client, db):
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.lstrip().startswith(b"<svg")


def test_every_page_links_the_icon(client, db):
    html = client.get("/no-such-page/").content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert 'rel="icon"' in loader.get_template("500.html").render()
