"""结果应用决定: the suggestion beside the bureau's decision, lists and export."""

urlpatterns: list = []
