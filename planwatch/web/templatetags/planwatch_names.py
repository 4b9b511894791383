"""``{{ indicator|shown_name }}`` and ``{% why result %}``: names and explanations in the page's language."""
from django import template
from django.utils.html import format_html

from planwatch.web.explain_en import english_explanation
from planwatch.web.names import english, name_of

register = template.Library()


@register.filter
def shown_name(obj) -> str:
    return name_of(obj)


@register.simple_tag
def why(result) -> str:
    """A result's explanation: the engine's Chinese sentence, or in the English UI the English
    statement with the Chinese one as its tooltip (``lang`` marks which language the text is)."""
    if result is None:
        return ""
    if english():
        return format_html('<span lang="en" title="{}">{}</span>', result.explanation,
                           english_explanation(result))
    return format_html('<span lang="zh-hans">{}</span>', result.explanation)
