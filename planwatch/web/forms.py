"""Entry forms for figures and task progress; messages are Django's own, in the active language."""
from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

LIMIT = 1e15


class ValueForm(forms.Form):
    value = forms.FloatField(label=_("数值"), required=False, min_value=-LIMIT, max_value=LIMIT)
    yoy_pct = forms.FloatField(label=_("同比(%)"), required=False, min_value=-1000, max_value=100000)
    progress_pct = forms.FloatField(label=_("完成进度(%)"), required=False, min_value=0, max_value=1000)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)

    def clean(self):
        data = super().clean()
        if not self.errors and all(data.get(k) is None for k in ("value", "yoy_pct", "progress_pct")):
            raise ValidationError(_("请至少填写一个数:数值、同比或完成进度"))
        return data


class ProgressForm(forms.Form):
    quantity_done = forms.FloatField(label=_("完成数量"), required=False, min_value=0, max_value=LIMIT)
    percent = forms.FloatField(label=_("完成比例(%)"), required=False, min_value=0, max_value=1000)
    narrative = forms.CharField(label=_("进展情况"), required=False, max_length=2000)
    note = forms.CharField(label=_("说明"), required=False, max_length=500)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("quantity_done") is None and data.get("percent") is None \
                and not (data.get("narrative") or "").strip():
            raise ValidationError(_("请填写完成数量、完成比例或进展情况"))
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_("报告文件"), help_text=_("txt、docx、pdf 或 html"))
    period = forms.CharField(label=_("报告期"), max_length=16, help_text=_("例如 2021H1"))
