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
        raw = request.query_params.get(self.page_query_param, "1")
        size = self.get_page_size(request)
        plain = not (queryset.query.distinct or queryset.query.group_by)  # else the window counts other rows
        if not (plain and raw.isascii() and raw.isdigit() and len(raw) <= 6) or int(raw) < 1 or not size:
            return self.paginate_queryset(queryset, request, view)
        number = int(raw)
        rows = list(queryset.annotate(_total=Window(Count("*")))[(number - 1) * size : number * size])
        if not rows and number > 1:
            raise NotFound(self.invalid_page_message.format(page_number=raw, message="That page contains no results"))
        paginator = self.django_paginator_class(rows, size)
        paginator.count = rows[0]["_total"] if rows else 0  # the cached property, from the window
        self.page, self.request = Page(rows, number, paginator), request
        self.display_page_controls = paginator.num_pages > 1 and self.template is not None
        return rows


class DirectoryPagination(CountedPages, PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200
