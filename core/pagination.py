"""Pagination shared by every list endpoint."""

from django.core.paginator import Page
from django.db.models import Count, Window
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination


class CountedPages:
    """For a PageNumberPagination: a page and its count from one statement."""

    def paginate_counted(self, queryset, request, view=None):
        """A page of `queryset` (of `.values()` rows) and the count of the whole in one statement (COUNT(*)
        OVER (): the filtered set is read once, where a count and a page read it twice). Any other page parameter
        ('last', a page past the millionth: an offset the database would refuse) as DRF does."""
        number = self.plain_page_number(request)
        if number is None or queryset.query.distinct or queryset.query.group_by:  # else the window counts others
            return self.paginate_queryset(queryset, request, view)
        counted = queryset.annotate(_total=Window(Count("*")))
        return self.paginate_rows(lambda offset, limit: list(counted[offset : offset + limit]), number, request)

    def plain_page_number(self, request) -> int | None:
        """The page asked for when it is a plain number (and a page size is in force); else None."""
        raw = request.query_params.get(self.page_query_param, "1")
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 6) or int(raw) < 1 or not self.get_page_size(request):
            return None
        return int(raw)

    def paginate_rows(self, read, number: int, request, total: str = "_total") -> list:
        """Page `number` from `read(offset, limit)`, rows that each carry the count of the whole in `total`."""
        size = self.get_page_size(request)
        rows = read((number - 1) * size, size)
        if not rows and number > 1:
            message = "That page contains no results"
            raise NotFound(self.invalid_page_message.format(page_number=number, message=message))
        paginator = self.django_paginator_class(rows, size)
        paginator.count = rows[0][total] if rows else 0  # the cached property, from the window
        self.page, self.request = Page(rows, number, paginator), request
        self.display_page_controls = paginator.num_pages > 1 and self.template is not None
        return rows


class DirectoryPagination(CountedPages, PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
