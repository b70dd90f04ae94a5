"""Report URLs for logged-in users (HTML, PDF, Excel)."""

app_name = "reports"

urlpatterns = []
