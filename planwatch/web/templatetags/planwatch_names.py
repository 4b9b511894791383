"""``{{ indicator|shown_name }}``: an indicator's or org unit's name in the page's language."""
from django import template

from planwatch.web.names import name_of

register = template.Library()


@register.filter
def shown_name(obj) -> str:
    return name_of(obj)
