"""Page-number pagination with bounded inputs: a page past the end is empty, never a database error."""

from typing import Optional

from ninja import Field, Schema
from ninja.pagination import PageNumberPagination


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: Optional[int] = Field(None, ge=1, le=500)

    def __init__(self, **kwargs):
        super().__init__(page_size=100, max_page_size=500, **kwargs)
