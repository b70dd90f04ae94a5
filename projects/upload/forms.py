"""The upload page's form."""

from __future__ import annotations

from django import forms


class UploadForm(forms.Form):
    """A selfeval/1 JSON or an .xlsx workbook in the 自评表 layout, and what it fills."""

    file = forms.FileField(label="文件（.xlsx 或 .json，不超过 5 MB）")
    purpose = forms.ChoiceField(label="用途", choices=(), widget=forms.RadioSelect)

    def __init__(self, *args, purposes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = list(purposes)
        if len(purposes) == 1:
            self.fields["purpose"].initial = purposes[0][0]
            self.fields["purpose"].widget = forms.HiddenInput()
